//! Every rule about creating a batch and recording and verifying its steps. Pure: the caller
//! loads the batch, its pinned template and the lots and equipment a step names, and appends
//! what this returns.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::{
    Batch, BatchCreated, BatchEvent, CoiMismatch, DeviationRaised, StepRecorded, StepVerified,
};
use crate::domain::coi::Coi;
use crate::domain::material::{check_equipment_usable, check_lot_usable, Equipment, Lot};
use crate::domain::quantity::Decimal;
use crate::domain::template::{FieldType, Step, Template};
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError, Roles};

/// What a command comes to.
#[derive(Debug)]
pub enum Outcome {
    Record(Vec<BatchEvent>),
    /// Refused, but the events (a security event) are recorded all the same.
    RefuseAndRecord(Vec<BatchEvent>, DomainError),
}

/// The patient as the collection centre identifies them: never a name.
pub struct NewBatch {
    pub batch_number: String,
    pub coi: Coi,
    pub template_code: String,
    pub template_version: u32,
    pub patient_code: String,
    pub date_of_birth: NaiveDate,
    pub treating_site: String,
    pub patient_weight_kg: String,
}

pub fn decide_create(new: NewBatch, today: NaiveDate) -> Result<BatchEvent, DomainError> {
    let code_ok = (3..=32).contains(&new.patient_code.len())
        && new
            .patient_code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !code_ok {
        return Err(DomainError::new(
            "invalid_patient_code",
            "patient_code: the pseudonymous code of 3 to 32 letters, digits or '-' that the \
             collection centre assigned; never a name or another direct identifier",
        )
        .about("patient_code"));
    }
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    if new.date_of_birth > today || new.date_of_birth < earliest {
        return Err(DomainError::new(
            "invalid_date_of_birth",
            "date_of_birth: a date between 1900-01-01 and today",
        )
        .about("date_of_birth"));
    }
    let weight = Decimal::parse(&new.patient_weight_kg).map_err(|_| {
        DomainError::new(
            "invalid_patient_weight",
            "patient_weight_kg: a decimal number of kilograms, as a string (e.g. \"31.5\")",
        )
        .about("patient_weight_kg")
    })?;
    let (zero, heaviest) = (Decimal::from_integer(0), Decimal::from_integer(400));
    if weight <= zero || weight > heaviest {
        return Err(DomainError::new(
            "invalid_patient_weight",
            "patient_weight_kg: more than 0 and at most 400",
        )
        .about("patient_weight_kg"));
    }
    Ok(BatchEvent::Created(BatchCreated {
        batch_number: new.batch_number,
        coi: new.coi.as_str().to_owned(),
        template_code: new.template_code,
        template_version: new.template_version,
        patient_code: new.patient_code.to_ascii_uppercase(),
        date_of_birth: new.date_of_birth,
        treating_site: printable_line(
            &new.treating_site,
            "invalid_treating_site",
            "treating_site",
            1..=100,
        )
        .about("treating_site")?,
        patient_weight_kg: weight,
    }))
}

/// The lots, equipment and files a step's values name, as their streams say they are now.
#[derive(Debug, Default)]
pub struct Resources {
    pub lots: BTreeMap<String, Option<Lot>>,
    pub equipment: BTreeMap<String, Option<Equipment>>,
    pub attachments: BTreeMap<String, bool>,
}

/// The ids of lots, equipment and attachments a submission names, for the caller to load.
pub fn references(
    step: &Step,
    values: &Map<String, Value>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut lots, mut equipment, mut attachments) = (Vec::new(), Vec::new(), Vec::new());
    for field in &step.fields {
        let Some(Value::String(id)) = values.get(&field.id) else {
            continue;
        };
        match field.kind {
            FieldType::MaterialLot => lots.push(id.clone()),
            FieldType::Equipment => equipment.push(id.clone()),
            FieldType::Attachment => attachments.push(id.clone()),
            _ => {}
        }
    }
    (lots, equipment, attachments)
}

pub struct RecordStep {
    pub step_id: String,
    pub values: Map<String, Value>,
    pub coi: Option<String>,
}

/// A step recorded by `performer` on `today`: its values checked against the template, its
/// lots and equipment against their state, the chain of identity re-confirmed where the step
/// asks for it; each value outside its range raises a deviation in the same breath.
pub fn decide_record(
    batch: &Batch,
    template: &Template,
    command: RecordStep,
    performer: (&str, &Roles),
    resources: &Resources,
    today: NaiveDate,
) -> Result<Outcome, DomainError> {
    super::supervision::ensure_open(batch)?;
    super::release::ensure_undecided(batch)?;
    ensure_not_tester(batch, performer.0)?;
    let (position, step) = find_step(template, &command.step_id)?;
    if !performer.1.contains(step.role) {
        return Err(DomainError::forbidden(
            "wrong_role",
            format!(
                "step {} is performed by a user with the role {}",
                step.id, step.role
            ),
        ));
    }
    check_order(batch, template, position, step)?;
    if step.coi {
        if let Some(mismatch) = check_coi(batch, step, command.coi.as_deref())? {
            return Ok(mismatch);
        }
    }
    let values = read_values(step, &command.values, resources, today)?;
    let record = u32::try_from(batch.records_of(&step.id).count()).unwrap_or(u32::MAX - 1) + 1;
    let mut events = Vec::new();
    let mut next_deviation = batch.next_deviation_id();
    for field in &step.fields {
        let Some(breach) = values.get(&field.id).and_then(|v| field.out_of_range(v)) else {
            continue;
        };
        events.push(BatchEvent::DeviationRaised(DeviationRaised {
            deviation_id: next_deviation,
            description: format!(
                "{} of step {} (record {record}) is {}{}, outside {}",
                field.label,
                step.id,
                breach.value,
                breach
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default(),
                range_text(&breach.min, &breach.max)
            ),
            automatic: true,
            step_id: Some(step.id.clone()),
            record: Some(record),
            field_id: Some(field.id.clone()),
            breach: Some(breach),
        }));
        next_deviation += 1;
    }
    events.insert(
        0,
        BatchEvent::StepRecorded(StepRecorded {
            step_id: step.id.clone(),
            record,
            values,
            coi_confirmed: step.coi,
        }),
    );
    Ok(Outcome::Record(events))
}

/// QC is independent of manufacturing both ways: whoever recorded or verified a QC result of
/// the batch never records, verifies or corrects its manufacturing records.
pub(super) fn ensure_not_tester(batch: &Batch, who: &str) -> Result<(), DomainError> {
    if batch.tested_by(who) {
        return Err(DomainError::forbidden(
            "tested_batch",
            format!(
                "you recorded or verified QC results of batch {}; its manufacturing records are \
                 made by someone who did not",
                batch.created.batch_number
            ),
        ));
    }
    Ok(())
}

pub(super) fn range_text(min: &Option<String>, max: &Option<String>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "its range".to_owned(),
    }
}

pub(super) fn find_step<'t>(
    template: &'t Template,
    step_id: &str,
) -> Result<(usize, &'t Step), DomainError> {
    template.step(step_id).ok_or_else(|| {
        DomainError::not_found(
            "step_not_found",
            format!(
                "template {} version {} has no step {step_id}",
                template.code, template.version
            ),
        )
    })
}

/// Steps are recorded in the template's order: every earlier step first, and once a later
/// step has begun an earlier one (even a repeatable one) is closed. A step recorded twice is a
/// correction, not a second record.
fn check_order(
    batch: &Batch,
    template: &Template,
    position: usize,
    step: &Step,
) -> Result<(), DomainError> {
    let steps: Vec<&Step> = template.steps().collect();
    if let Some(missing) = steps[..position]
        .iter()
        .find(|earlier| batch.records_of(&earlier.id).next().is_none())
    {
        return Err(DomainError::conflict(
            "step_out_of_order",
            format!(
                "step {} comes after {}, which is not recorded yet",
                step.id, missing.id
            ),
        ));
    }
    if let Some(later) = steps[position + 1..]
        .iter()
        .find(|later| batch.records_of(&later.id).next().is_some())
    {
        return Err(DomainError::conflict(
            "step_out_of_order",
            format!(
                "step {} is closed: the later step {} has begun",
                step.id, later.id
            ),
        ));
    }
    if !step.repeatable && batch.records_of(&step.id).next().is_some() {
        return Err(DomainError::conflict(
            "step_already_recorded",
            format!(
                "step {} is already recorded; to change a value, record a correction",
                step.id
            ),
        ));
    }
    Ok(())
}

/// The identifier typed or scanned at the step must be this batch's. A well-formed but
/// different one is a possible mix-up of patients: refused, and recorded as a security event.
fn check_coi(
    batch: &Batch,
    step: &Step,
    presented: Option<&str>,
) -> Result<Option<Outcome>, DomainError> {
    let presented = presented.ok_or_else(|| {
        DomainError::new(
            "coi_required",
            format!("coi: step {} re-confirms the chain of identity: scan or type the batch's identifier", step.id),
        )
        .about("coi")
    })?;
    let presented = Coi::parse(presented).about("coi")?;
    if presented == batch.coi()? {
        return Ok(None);
    }
    let mismatch = BatchEvent::CoiMismatch(CoiMismatch {
        step_id: step.id.clone(),
        presented: presented.as_str().to_owned(),
        source: None,
    });
    let refusal = DomainError::new(
        "coi_mismatch",
        format!(
            "coi: {} is not the chain of identity of batch {}: STOP, this material may belong to \
             another patient; nothing was recorded and QA is alerted",
            presented.printed(),
            batch.created.batch_number
        ),
    )
    .about("coi");
    Ok(Some(Outcome::RefuseAndRecord(vec![mismatch], refusal)))
}

fn read_values(
    step: &Step,
    submitted: &Map<String, Value>,
    resources: &Resources,
    today: NaiveDate,
) -> Result<BTreeMap<String, crate::domain::template::FieldValue>, DomainError> {
    if let Some(unknown) = submitted.keys().find(|k| step.field(k).is_none()) {
        return Err(DomainError::new(
            "unknown_field",
            format!("{unknown}: step {} has no such field", step.id),
        )
        .about(unknown.as_str()));
    }
    let mut values = BTreeMap::new();
    for field in &step.fields {
        let Some(value) = field.read_optional(submitted.get(&field.id))? else {
            continue;
        };
        check_references(field, &value, resources, today)?;
        values.insert(field.id.clone(), value);
    }
    Ok(values)
}

/// The lot, equipment or file a value names must be usable on `today`.
pub(super) fn check_references(
    field: &crate::domain::template::Field,
    value: &crate::domain::template::FieldValue,
    resources: &Resources,
    today: NaiveDate,
) -> Result<(), DomainError> {
    usable_references(field, value, resources, today).about(&field.id)
}

fn usable_references(
    field: &crate::domain::template::Field,
    value: &crate::domain::template::FieldValue,
    resources: &Resources,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if let Some(lot_id) = value.material_lot() {
        let material = field.material.as_deref().unwrap_or_default();
        let lot = resources.lots.get(lot_id).and_then(Option::as_ref);
        check_lot_usable(lot, lot_id, material, today, &field.id)?;
    }
    if let Some(equipment_id) = value.equipment() {
        let equipment = resources
            .equipment
            .get(equipment_id)
            .and_then(Option::as_ref);
        check_equipment_usable(equipment, equipment_id, today, &field.id)?;
    }
    if let Some(sha256) = value.attachment() {
        if !resources.attachments.get(sha256).copied().unwrap_or(false) {
            return Err(DomainError::new(
                "attachment_unknown",
                format!("{}: no file with SHA-256 {sha256} was uploaded", field.id),
            ));
        }
    }
    Ok(())
}

/// A second person with the step's role verifies a record: never its performer, never twice.
pub fn decide_verify(
    batch: &Batch,
    template: &Template,
    step_id: &str,
    record: Option<u32>,
    verifier: (&str, &Roles),
) -> Result<BatchEvent, DomainError> {
    super::supervision::ensure_open(batch)?;
    super::release::ensure_undecided(batch)?;
    ensure_not_tester(batch, verifier.0)?;
    let (_, step) = find_step(template, step_id)?;
    if !step.verify {
        return Err(DomainError::conflict(
            "verification_not_required",
            format!("step {step_id} is not verified by a second person"),
        ));
    }
    let found = match record {
        Some(n) => batch.records_of(step_id).find(|r| r.record == n),
        None => batch.records_of(step_id).last(),
    }
    .ok_or_else(|| {
        DomainError::not_found(
            "record_not_found",
            format!("step {step_id} has no such record to verify"),
        )
    })?;
    if !verifier.1.contains(step.role) {
        return Err(DomainError::forbidden(
            "wrong_role",
            format!("step {step_id} is verified by a second {}", step.role),
        ));
    }
    let corrected_it = batch
        .corrections_of_record(step_id, found.record)
        .any(|c| c.by == verifier.0);
    if found.performed_by == verifier.0 || corrected_it {
        return Err(DomainError::forbidden(
            "self_verification",
            format!("you performed or corrected step {step_id}; a second person must verify it"),
        ));
    }
    if found.verified_by.is_some() {
        return Err(DomainError::conflict(
            "already_verified",
            format!("step {step_id} record {} is already verified", found.record),
        ));
    }
    Ok(BatchEvent::StepVerified(StepVerified {
        step_id: step_id.to_owned(),
        record: found.record,
    }))
}
