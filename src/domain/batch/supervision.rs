//! QA's oversight of a batch: deviations raised (by hand or by the server), classified,
//! investigated and closed; holds and their lifting; termination. A batch on hold or
//! terminated takes no further record.

use super::{
    Batch, BatchEvent, Classification, DeviationClassified, DeviationClosed, DeviationRaised,
    Reasoned, ReleaseDecision,
};
use crate::domain::template::Template;
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError};

/// Refuses any record on a batch that is terminated, rejected or infused: closed for good
/// (an infused batch takes follow-up visits only, through their own rule).
pub fn ensure_not_closed(batch: &Batch) -> Result<(), DomainError> {
    let number = &batch.created.batch_number;
    if let Some(reason) = &batch.terminated {
        return Err(DomainError::conflict(
            "batch_terminated",
            format!("batch {number} was terminated ({reason}); nothing more is recorded on it"),
        ));
    }
    if batch.infusion.is_some() {
        return Err(DomainError::conflict(
            "batch_infused",
            format!(
                "batch {number} was infused and is closed: only follow-up visits are recorded on it"
            ),
        ));
    }
    if batch.release.as_ref().map(|r| r.decided.decision) == Some(ReleaseDecision::Rejected) {
        return Err(DomainError::conflict(
            "batch_rejected",
            format!("batch {number} was rejected by the QP; nothing more is recorded on it"),
        ));
    }
    Ok(())
}

/// Refuses any record on a batch that is on hold, or closed (see [`ensure_not_closed`]).
pub fn ensure_open(batch: &Batch) -> Result<(), DomainError> {
    ensure_not_closed(batch)?;
    if let Some(reason) = batch.hold() {
        return Err(DomainError::conflict(
            "batch_on_hold",
            format!(
                "batch {} is on hold ({reason}); QA must resume it first",
                batch.created.batch_number
            ),
        ));
    }
    Ok(())
}

/// A text input of up to 2,000 characters, refused as about `field`.
fn text(raw: &str, code: &'static str, field: &str) -> Result<String, DomainError> {
    printable_line(raw, code, field, 1..=2000).about(field)
}

/// A deviation raised by hand (operator or QA), optionally about one step.
pub fn decide_raise(
    batch: &Batch,
    template: &Template,
    description: &str,
    step_id: Option<String>,
) -> Result<BatchEvent, DomainError> {
    ensure_not_closed(batch)?;
    if let Some(step) = &step_id {
        if template.step(step).is_none() {
            return Err(DomainError::new(
                "step_not_found",
                format!("step_id: the template has no step {step}"),
            )
            .about("step_id"));
        }
    }
    Ok(BatchEvent::DeviationRaised(DeviationRaised {
        deviation_id: batch.next_deviation_id(),
        description: text(description, "invalid_description", "description")?,
        automatic: false,
        step_id,
        record: None,
        field_id: None,
        breach: None,
    }))
}

fn open_deviation(batch: &Batch, id: u32) -> Result<&super::Deviation, DomainError> {
    let deviation = batch.deviation(id).ok_or_else(|| {
        DomainError::not_found(
            "deviation_not_found",
            format!("batch {} has no deviation {id}", batch.created.batch_number),
        )
    })?;
    if !deviation.is_open() {
        return Err(DomainError::conflict(
            "deviation_closed",
            format!("deviation {id} is closed"),
        ));
    }
    Ok(deviation)
}

/// QA classifies an open deviation (and may classify it again while it is open).
pub fn decide_classify(
    batch: &Batch,
    id: u32,
    classification: Classification,
) -> Result<BatchEvent, DomainError> {
    open_deviation(batch, id)?;
    Ok(BatchEvent::DeviationClassified(DeviationClassified {
        deviation_id: id,
        classification,
    }))
}

/// QA closes a classified deviation with its investigation, root cause and CAPA reference.
pub fn decide_close(
    batch: &Batch,
    id: u32,
    investigation: &str,
    root_cause: &str,
    capa_ref: &str,
) -> Result<BatchEvent, DomainError> {
    let deviation = open_deviation(batch, id)?;
    if deviation.classification.is_none() {
        return Err(DomainError::conflict(
            "deviation_not_classified",
            format!(
                "deviation {id} must be classified (minor, major, critical) before it is closed"
            ),
        ));
    }
    Ok(BatchEvent::DeviationClosed(DeviationClosed {
        deviation_id: id,
        investigation: text(investigation, "invalid_investigation", "investigation")?,
        root_cause: text(root_cause, "invalid_root_cause", "root_cause")?,
        capa_ref: printable_line(capa_ref, "invalid_capa_ref", "capa_ref", 1..=100)
            .about("capa_ref")?,
    }))
}

/// What QA decides about the course of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Course {
    Hold,
    Resume,
    Terminate,
}

pub fn decide_course(
    batch: &Batch,
    course: Course,
    reason: &str,
) -> Result<BatchEvent, DomainError> {
    let reason = text(reason, "invalid_reason", "reason")?;
    match course {
        Course::Hold => {
            ensure_open(batch)?;
            Ok(BatchEvent::Held(Reasoned { reason }))
        }
        Course::Resume => {
            if batch.terminated.is_none() && batch.hold().is_none() {
                return Err(DomainError::conflict(
                    "batch_not_on_hold",
                    "the batch is not on hold",
                ));
            }
            ensure_not_closed(batch)?;
            Ok(BatchEvent::Resumed(Reasoned { reason }))
        }
        Course::Terminate => {
            ensure_not_closed(batch)?;
            Ok(BatchEvent::Terminated(Reasoned { reason }))
        }
    }
}
