//! Corrections: never an edit. A correction is a new event naming the entry it corrects, with
//! the new value and the reason; where the record had been verified, a second person verifies
//! the correction; once manufacturing is complete, QA approves it. A corrected value outside
//! its range raises a deviation like any value.

use chrono::NaiveDate;
use serde_json::Value;

use super::decide::{check_references, find_step, range_text, Outcome, Resources};
use super::{Batch, BatchEvent, CorrectionRef, Corrects, DeviationRaised, ValueCorrected};
use crate::domain::template::Template;
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError, Role, Roles};

pub struct Correct {
    pub step_id: String,
    pub record: u32,
    pub field_id: String,
    pub value: Value,
    pub reason: String,
}

/// By the record's performer or by QA.
pub fn decide_correct(
    batch: &Batch,
    template: &Template,
    command: Correct,
    author: (&str, &Roles),
    resources: &Resources,
    today: NaiveDate,
) -> Result<Outcome, DomainError> {
    super::supervision::ensure_open(batch)?;
    super::release::ensure_undecided(batch)?;
    super::decide::ensure_not_tester(batch, author.0)?;
    let (_, step) = find_step(template, &command.step_id)?;
    let original = batch
        .records_of(&step.id)
        .find(|r| r.record == command.record)
        .ok_or_else(|| {
            DomainError::not_found(
                "record_not_found",
                format!("step {} has no record {}", step.id, command.record),
            )
        })?;
    if original.performed_by != author.0 && !author.1.contains(Role::Qa) {
        return Err(DomainError::forbidden(
            "not_performer",
            "only the person who performed the step, or QA, corrects its values",
        ));
    }
    let field = step.field(&command.field_id).ok_or_else(|| {
        DomainError::new(
            "unknown_field",
            format!("{}: step {} has no such field", command.field_id, step.id),
        )
        .about("field_id")
    })?;
    // The value's own refusal names the step's field; here it is the request's `value`.
    let value = field.read(&command.value).about("value")?;
    check_references(field, &value, resources, today).about("value")?;
    let reason =
        printable_line(&command.reason, "invalid_reason", "reason", 1..=2000).about("reason")?;
    let latest = batch
        .corrections_of(&step.id, original.record, &field.id)
        .last();
    let (previous, corrects) = match latest {
        Some(c) => (
            Some(c.corrected.value.clone()),
            Corrects {
                seq: c.seq,
                hash: c.hash.clone(),
            },
        ),
        None => (
            original.values.get(&field.id).cloned(),
            Corrects {
                seq: original.seq,
                hash: original.hash.clone(),
            },
        ),
    };
    if previous.as_ref() == Some(&value) {
        return Err(DomainError::new(
            "no_change",
            format!("{}: the value is already {}", field.id, value),
        )
        .about("value"));
    }
    let correction_id = u32::try_from(batch.corrections.len()).unwrap_or(u32::MAX - 1) + 1;
    let mut events = vec![BatchEvent::ValueCorrected(ValueCorrected {
        correction_id,
        step_id: step.id.clone(),
        record: original.record,
        field_id: field.id.clone(),
        value: value.clone(),
        previous,
        reason,
        corrects,
        needs_verification: step.verify && original.verified_by.is_some(),
        needs_approval: batch.manufacturing_recorded(template),
    })];
    if let Some(breach) = field.out_of_range(&value) {
        events.push(BatchEvent::DeviationRaised(DeviationRaised {
            deviation_id: batch.next_deviation_id(),
            description: format!(
                "{} of step {} (record {}) corrected to {}{}, outside {}",
                field.label,
                step.id,
                original.record,
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
            record: Some(original.record),
            field_id: Some(field.id.clone()),
            breach: Some(breach),
        }));
    }
    Ok(Outcome::Record(events))
}

fn correction(batch: &Batch, id: u32) -> Result<&super::Correction, DomainError> {
    batch.correction(id).ok_or_else(|| {
        DomainError::not_found(
            "correction_not_found",
            format!(
                "batch {} has no correction {id}",
                batch.created.batch_number
            ),
        )
    })
}

/// A second person with the step's role verifies a correction of a verified record.
pub fn decide_verify_correction(
    batch: &Batch,
    template: &Template,
    id: u32,
    verifier: (&str, &Roles),
) -> Result<BatchEvent, DomainError> {
    super::supervision::ensure_open(batch)?;
    super::decide::ensure_not_tester(batch, verifier.0)?;
    let found = correction(batch, id)?;
    if !found.awaits_verification() {
        return Err(DomainError::conflict(
            "correction_not_awaiting_verification",
            format!("correction {id} needs no verification, or has it"),
        ));
    }
    let (_, step) = find_step(template, &found.corrected.step_id)?;
    if !verifier.1.contains(step.role) {
        return Err(DomainError::forbidden(
            "wrong_role",
            format!("the correction is verified by a second {}", step.role),
        ));
    }
    let performer = batch
        .records_of(&found.corrected.step_id)
        .find(|r| r.record == found.corrected.record)
        .map(|r| r.performed_by.as_str());
    if found.by == verifier.0 || performer == Some(verifier.0) {
        return Err(DomainError::forbidden(
            "self_verification",
            "you made this correction or the record it corrects; a second person must verify it",
        ));
    }
    Ok(BatchEvent::CorrectionVerified(CorrectionRef {
        correction_id: id,
    }))
}

/// QA approves a correction made after manufacturing was complete; never its own.
pub fn decide_approve_correction(
    batch: &Batch,
    id: u32,
    approver: &str,
) -> Result<BatchEvent, DomainError> {
    super::supervision::ensure_open(batch)?;
    let found = correction(batch, id)?;
    if !found.awaits_approval() {
        return Err(DomainError::conflict(
            "correction_not_awaiting_approval",
            format!("correction {id} needs no approval, or has it"),
        ));
    }
    if found.by == approver {
        return Err(DomainError::forbidden(
            "approver_is_author",
            "you made this correction; another QA person approves it",
        ));
    }
    Ok(BatchEvent::CorrectionApproved(CorrectionRef {
        correction_id: id,
    }))
}
