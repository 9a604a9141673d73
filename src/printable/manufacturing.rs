//! Manufacturing in the printable record: each stage and step of the pinned template, in its
//! order, with the step's records, values against their units and ranges, who performed and verified, each correction with
//! its history, every signature's manifestation; then the deviations.

use serde_json::Value;

use super::model::{by_at, optional, when, yes_no, Section};
use crate::domain::template::{Stage, Step, Template};
use crate::services::batches::view::{Manifestation, RecordView, StepView, ValueView};
use crate::services::batches::BatchView;

pub fn stages(view: &BatchView, template: &Template) -> Vec<Section> {
    template
        .stages
        .iter()
        .map(|stage| stage_section(view, stage))
        .collect()
}

fn stage_section(view: &BatchView, stage: &Stage) -> Section {
    let mut section = Section::new(format!("Stage: {}", stage.title));
    for step in &stage.steps {
        if let Some(recorded) = view.steps.iter().find(|s| s.step_id == step.id) {
            step_blocks(&mut section, step, recorded);
        }
    }
    section
}

fn step_blocks(section: &mut Section, template: &Step, step: &StepView) {
    section.heading(format!("Step {} — {}", step.step_id, step.title));
    section.fields(vec![
        ("Performed by the role", step.role.replace('_', " ")),
        ("Second-person verification", yes_no(step.verify)),
        ("Status", step.status.as_str().to_owned()),
    ]);
    if step.records.is_empty() {
        section.note("Not recorded.");
    }
    for record in &step.records {
        record_block(section, template, record);
    }
}

fn record_block(section: &mut Section, step: &Step, record: &RecordView) {
    // The template's order of fields, as the operator met them.
    let values: Vec<&ValueView> = step
        .fields
        .iter()
        .filter_map(|field| record.values.get(&field.id))
        .collect();
    section.subheading(format!("Record {} (entry {})", record.record, record.seq));
    section.fields(vec![
        (
            "Performed",
            format!("{} at {}", record.performed_by, when(&record.performed_at)),
        ),
        (
            "Verified",
            by_at(record.verified_by.as_ref(), record.verified_at.as_ref()),
        ),
    ]);
    section.table(
        &[
            ("Field", 4),
            ("Value", 4),
            ("Unit", 2),
            ("Range", 3),
            ("In range", 2),
        ],
        values
            .iter()
            .map(|v| {
                vec![
                    v.label.clone(),
                    shown(&v.value),
                    optional(v.unit.as_ref()),
                    range(v),
                    yes_no(v.in_range),
                ]
            })
            .collect(),
    );
    section.table(
        &[
            ("Corrected field", 3),
            ("Value", 2),
            ("By, at", 4),
            ("Reason", 4),
            ("Status", 4),
            ("Verified, approved by", 3),
        ],
        values
            .iter()
            .filter(|v| v.history.len() > 1)
            .flat_map(|v| {
                v.history.iter().map(|change| {
                    vec![
                        v.label.clone(),
                        shown(&change.value),
                        format!("{}, {}", change.by, when(&change.at)),
                        optional(change.reason.as_ref()),
                        change.status.as_str().to_owned(),
                        format!(
                            "{}, {}",
                            optional(change.verified_by.as_ref()),
                            optional(change.approved_by.as_ref())
                        ),
                    ]
                })
            })
            .collect(),
    );
    signatures(section, &record.signatures);
}

/// Each signature's manifestation (21 CFR 11.50): printed name, date and time, meaning.
pub fn signatures(section: &mut Section, signatures: &[Manifestation]) {
    section.table(
        &[
            ("Signed by (printed name)", 5),
            ("User", 3),
            ("Meaning", 3),
            ("Date and time", 4),
            ("Signature entry", 2),
        ],
        signatures
            .iter()
            .map(|s| {
                vec![
                    s.signer_full_name.clone(),
                    s.signer.clone(),
                    s.meaning.to_owned(),
                    when(&s.signed_at),
                    s.signature_seq.to_string(),
                ]
            })
            .collect(),
    );
}

pub fn deviations(view: &BatchView) -> Section {
    let mut section = Section::new("Deviations");
    if view.deviations.is_empty() {
        section.note("No deviation was raised.");
    }
    for d in &view.deviations {
        section.heading(format!("Deviation {}", d.deviation_id));
        let mut fields = vec![
            ("Description", d.description.clone()),
            (
                "Raised",
                format!(
                    "{} by {} at {}",
                    if d.automatic {
                        "automatically"
                    } else {
                        "by hand"
                    },
                    d.raised_by,
                    when(&d.raised_at)
                ),
            ),
            (
                "Step, field",
                format!(
                    "{}, {}",
                    optional(d.step_id.as_ref()),
                    optional(d.field_id.as_ref())
                ),
            ),
            ("State", d.state.as_str().to_owned()),
            ("Classification", d.classification.unwrap_or("—").to_owned()),
        ];
        if let Some(c) = &d.closure {
            fields.extend([
                ("Investigation", c.investigation.clone()),
                ("Root cause", c.root_cause.clone()),
                ("CAPA", c.capa_ref.clone()),
                (
                    "Closed",
                    format!("by {} at {}", c.closed_by, when(&c.closed_at)),
                ),
            ]);
        }
        section.fields(fields);
    }
    section
}

/// A recorded value as text: strings as they are, anything else as JSON.
pub fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

fn range(v: &ValueView) -> String {
    match (&v.min, &v.max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "—".to_owned(),
    }
}
