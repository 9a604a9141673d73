//! The whole batch record as people read it: every step of the pinned template with its
//! records, values, units and ranges, who performed and verified each, every signature's
//! manifestation (printed name, time, meaning), and the deviations; then QC, certification,
//! custody and the patient (`release_view`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::release_view::{after_manufacturing, AfterManufacturing};
use super::Folded;
use crate::db::DbConn;
use crate::domain::batch::{
    Batch, BatchEvent, BatchState, DeviationState, StepRecord, StepStatus, ValueStatus,
};
use crate::domain::signature::SignatureApplied;
use crate::domain::template::Step;
use crate::domain::Recorded;
use crate::error::ServiceError;

#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub batch_number: String,
    pub coi: String,
    /// The identifier with its ISO/IEC 7064 mod 37-2 check character, as labels print it.
    pub coi_printed: String,
    #[schema(value_type = String)]
    pub state: BatchState,
    pub template: TemplateRef,
    pub patient: Patient,
    pub created_by: String,
    /// When the batch was started, RFC 3339 UTC.
    pub created_at: String,
    pub steps: Vec<StepView>,
    pub deviations: Vec<DeviationView>,
    pub coi_mismatches: u32,
    /// The reason of the hold in force, and of a termination.
    pub hold: Option<String>,
    pub terminated: Option<String>,
    #[serde(flatten)]
    pub after_manufacturing: AfterManufacturing,
    /// The number of events in the batch's stream: its `ETag`.
    pub position: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TemplateRef {
    pub code: String,
    pub version: u32,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Patient {
    pub patient_code: String,
    pub date_of_birth: String,
    pub treating_site: String,
    pub weight_kg: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub step_id: String,
    pub title: String,
    #[schema(value_type = String)]
    pub role: &'static str,
    pub verify: bool,
    pub coi: bool,
    pub repeatable: bool,
    /// `pending`, `recorded` (waiting for verification) or `done`.
    #[schema(value_type = String)]
    pub status: StepStatus,
    pub records: Vec<RecordView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub record: u32,
    pub seq: i64,
    pub performed_by: String,
    pub performed_at: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub values: BTreeMap<String, ValueView>,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ValueView {
    pub label: String,
    /// The current value: the last correction's, or the one first recorded.
    pub value: Value,
    pub unit: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub in_range: bool,
    /// Every value this field has had, oldest first, with who, when and why.
    pub history: Vec<ValueChange>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ValueChange {
    pub value: Value,
    pub by: String,
    pub at: String,
    pub seq: i64,
    pub correction_id: Option<u32>,
    pub reason: Option<String>,
    pub verified_by: Option<String>,
    pub approved_by: Option<String>,
    /// `recorded`, `awaiting verification`, `awaiting approval` or `in effect`.
    #[schema(value_type = String)]
    pub status: ValueStatus,
}

/// What a signature shows (21 CFR Part 11 §11.50): printed name, date and time, meaning.
#[derive(Serialize, Clone, utoipa::ToSchema)]
pub struct Manifestation {
    pub signer: String,
    pub signer_full_name: String,
    #[schema(value_type = String)]
    pub meaning: &'static str,
    pub signed_at: String,
    pub signature_seq: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeviationView {
    pub deviation_id: u32,
    pub description: String,
    pub automatic: bool,
    pub step_id: Option<String>,
    pub field_id: Option<String>,
    pub raised_by: String,
    pub raised_at: String,
    /// `open` until QA closes it.
    #[schema(value_type = String)]
    pub state: DeviationState,
    #[schema(value_type = Option<String>)]
    pub classification: Option<&'static str>,
    pub closure: Option<Closure>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Closure {
    pub investigation: String,
    pub root_cause: String,
    pub capa_ref: String,
    pub closed_by: String,
    pub closed_at: String,
}

/// The record of a batch, read from its stream.
pub fn record_view(conn: &mut DbConn, batch_number: &str) -> Result<BatchView, ServiceError> {
    record_and_template(conn, batch_number).map(|(view, _)| view)
}

/// The record of a batch with the template version it is pinned to (which folding it
/// needs anyway), from one read of its stream.
pub fn record_and_template(
    conn: &mut DbConn,
    batch_number: &str,
) -> Result<(BatchView, crate::domain::template::Template), ServiceError> {
    let folded = Folded::read(conn, batch_number)?;
    let view = BatchView::of(&folded)?;
    let template = folded.template.clone();
    folded.keep();
    Ok((view, template))
}

impl BatchView {
    /// The record of a batch as folded (after a write, the fold it was decided on and
    /// extended with what it appended: nothing reads the stream again to answer).
    pub fn of(folded: &Folded) -> Result<BatchView, ServiceError> {
        let Folded {
            events,
            batch,
            template,
            ..
        } = folded;
        let signatures = manifestations(events);
        let created = &batch.created;
        Ok(BatchView {
            batch_number: created.batch_number.clone(),
            coi: created.coi.clone(),
            coi_printed: batch.coi()?.printed(),
            state: batch.state(template),
            template: TemplateRef {
                code: created.template_code.clone(),
                version: created.template_version,
            },
            patient: Patient {
                patient_code: created.patient_code.clone(),
                date_of_birth: created.date_of_birth.to_string(),
                treating_site: created.treating_site.clone(),
                weight_kg: created.patient_weight_kg.as_str().to_owned(),
            },
            created_by: batch.created_by.clone(),
            created_at: batch.created_at.clone(),
            steps: template
                .steps()
                .map(|step| step_view(batch, step, &signatures))
                .collect(),
            deviations: deviations(batch),
            coi_mismatches: batch.coi_mismatches(),
            hold: batch.hold().map(str::to_owned),
            terminated: batch.terminated.clone(),
            after_manufacturing: after_manufacturing(batch, &signatures),
            position: i64::try_from(events.len()).unwrap_or(i64::MAX),
        })
    }
}

/// Signatures by the seq of the entry they sign.
fn manifestations(events: &[Recorded<BatchEvent>]) -> BTreeMap<i64, Vec<Manifestation>> {
    let mut by_entry: BTreeMap<i64, Vec<Manifestation>> = BTreeMap::new();
    for recorded in events {
        let BatchEvent::SignatureApplied(SignatureApplied {
            signer,
            signer_full_name,
            meaning,
            signed,
            ..
        }) = &recorded.event
        else {
            continue;
        };
        for entry in signed {
            by_entry.entry(entry.seq).or_default().push(Manifestation {
                signer: signer.clone(),
                signer_full_name: signer_full_name.clone(),
                meaning: meaning.as_str(),
                signed_at: recorded.recorded_at.clone(),
                signature_seq: recorded.seq,
            });
        }
    }
    by_entry
}

fn step_view(
    batch: &Batch,
    step: &Step,
    signatures: &BTreeMap<i64, Vec<Manifestation>>,
) -> StepView {
    let records: Vec<RecordView> = batch
        .records_of(&step.id)
        .map(|record| record_of(batch, step, record, signatures))
        .collect();
    StepView {
        step_id: step.id.clone(),
        title: step.title.clone(),
        role: step.role.as_str(),
        verify: step.verify,
        coi: step.coi,
        repeatable: step.repeatable,
        status: batch.step_status(step),
        records,
    }
}

fn record_of(
    batch: &Batch,
    step: &Step,
    record: &StepRecord,
    signatures: &BTreeMap<i64, Vec<Manifestation>>,
) -> RecordView {
    let values = step
        .fields
        .iter()
        .filter_map(|field| {
            let mut history: Vec<ValueChange> = record
                .values
                .get(&field.id)
                .map(|v| ValueChange {
                    value: v.as_json(),
                    by: record.performed_by.clone(),
                    at: record.performed_at.clone(),
                    seq: record.seq,
                    correction_id: None,
                    reason: None,
                    verified_by: record.verified_by.clone(),
                    approved_by: None,
                    status: ValueStatus::Recorded,
                })
                .into_iter()
                .collect();
            let corrections: Vec<_> = batch
                .corrections_of(&step.id, record.record, &field.id)
                .collect();
            history.extend(corrections.iter().map(|c| ValueChange {
                value: c.corrected.value.as_json(),
                by: c.by.clone(),
                at: c.at.clone(),
                seq: c.seq,
                correction_id: Some(c.corrected.correction_id),
                reason: Some(c.corrected.reason.clone()),
                verified_by: c.verified_by.clone(),
                approved_by: c.approved_by.clone(),
                status: c.status(),
            }));
            let current = corrections
                .last()
                .map(|c| &c.corrected.value)
                .or_else(|| record.values.get(&field.id))?;
            Some((
                field.id.clone(),
                ValueView {
                    label: field.label.clone(),
                    value: current.as_json(),
                    unit: field.unit.clone(),
                    min: field.min.as_ref().map(ToString::to_string),
                    max: field.max.as_ref().map(ToString::to_string),
                    in_range: field.out_of_range(current).is_none(),
                    history,
                },
            ))
        })
        .collect();
    RecordView {
        record: record.record,
        seq: record.seq,
        performed_by: record.performed_by.clone(),
        performed_at: record.performed_at.clone(),
        verified_by: record.verified_by.clone(),
        verified_at: record.verified_at.clone(),
        values,
        signatures: signatures.get(&record.seq).cloned().unwrap_or_default(),
    }
}

fn deviations(batch: &Batch) -> Vec<DeviationView> {
    batch
        .deviations
        .iter()
        .map(|d| DeviationView {
            deviation_id: d.raised.deviation_id,
            description: d.raised.description.clone(),
            automatic: d.raised.automatic,
            step_id: d.raised.step_id.clone(),
            field_id: d.raised.field_id.clone(),
            raised_by: d.raised_by.clone(),
            raised_at: d.raised_at.clone(),
            state: d.state(),
            classification: d.classification.map(|c| c.as_str()),
            closure: d.closed.as_ref().map(|(closed, by, at)| Closure {
                investigation: closed.investigation.clone(),
                root_cause: closed.root_cause.clone(),
                capa_ref: closed.capa_ref.clone(),
                closed_by: by.clone(),
                closed_at: at.clone(),
            }),
        })
        .collect()
}
