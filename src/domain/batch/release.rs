//! QP certification: the review by exception the QP reads before signing, what blocks release,
//! and the three decisions. An out-of-specification product is released only exceptionally:
//! on the treating physician's signed request, with the QP's signed justification (EudraLex
//! Vol 4 Part IV §11.53–11.54). A QP who took part in the batch never certifies it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration};
use serde::Serialize;

use super::supervision::{ensure_not_closed, ensure_open};
use super::{
    Batch, BatchEvent, OosResult, PhysicianRequest, PhysicianRequested, QcResult, ReleaseDecided,
    ReleaseDecision,
};
use crate::domain::material::{Lot, LotStatus};
use crate::domain::template::{FieldValue, Template};
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError};

/// Refuses a write that could change what the QP certified, once the decision is made.
pub fn ensure_undecided(batch: &Batch) -> Result<(), DomainError> {
    match &batch.release {
        Some(release) => Err(DomainError::conflict(
            "already_decided",
            format!(
                "the QP's decision on batch {} ({}) is made; the record it was made on is closed",
                batch.created.batch_number,
                release.decided.decision.as_str()
            ),
        )),
        None => Ok(()),
    }
}

/// What the QP sees listed, each with the entry it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    MissingStep,
    MissingVerification,
    MissingResult,
    UnverifiedResult,
    Deviation,
    OutOfRange,
    Oos,
    Correction,
    LateEntry,
    Hold,
    CoiMismatch,
    RejectedLot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub kind: ExceptionKind,
    pub description: String,
    /// The ledger entry it is about, where there is one.
    pub seq: Option<i64>,
}

/// What stops certification, with the code a refused release answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub code: &'static str,
    pub reason: String,
}

/// What the review needs beyond the batch: the state of every lot the batch used, and how long
/// after the time it states an entry may be recorded before it counts as late.
#[derive(Debug, Clone)]
pub struct ReviewContext {
    pub lots: BTreeMap<String, Option<Lot>>,
    pub late_after: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub exceptions: Vec<Exception>,
    pub blockers: Vec<Blocker>,
    /// Why `released` cannot be signed now: the blockers, an OOS result, a decision made.
    pub reasons: Vec<String>,
    /// The decisions the QP may sign now.
    pub decisions: Vec<ReleaseDecision>,
}

impl Review {
    /// `released` may be signed now.
    pub fn ready(&self) -> bool {
        self.decisions.contains(&ReleaseDecision::Released)
    }
}

/// Everything that stops certification, in the order a QP would work through it.
pub fn blockers(batch: &Batch, template: &Template) -> Vec<Blocker> {
    let mut found = Vec::new();
    let mut block = |code, reason: String| found.push(Blocker { code, reason });
    if let Some(reason) = batch.hold() {
        block("batch_on_hold", format!("the batch is on hold ({reason})"));
    }
    for step in template.steps() {
        let mut records = batch.records_of(&step.id).peekable();
        if records.peek().is_none() {
            block(
                "record_incomplete",
                format!("step {} is not recorded", step.id),
            );
        }
        for record in records.filter(|r| step.verify && r.verified_by.is_none()) {
            block(
                "record_incomplete",
                format!("step {} record {} is not verified", step.id, record.record),
            );
        }
    }
    for test in &template.qc_tests {
        match batch.current_qc_result(&test.id) {
            None => block(
                "qc_incomplete",
                format!("QC test {} has no result", test.id),
            ),
            Some(result) if result.verified.is_none() => block(
                "qc_incomplete",
                format!("the result of QC test {} is not verified", test.id),
            ),
            Some(_) => {}
        }
    }
    for result in &batch.qc_results {
        let verifier = result.verified.as_ref().map(|v| v.by.as_str());
        let makers = [Some(result.entry.by.as_str()), verifier];
        if let Some(maker) = makers.into_iter().flatten().find(|who| batch.made_by(who)) {
            block(
                "qc_not_independent",
                format!(
                    "the result of QC test {} (attempt {}) is signed by {maker}, who also made \
                     the batch",
                    result.recorded.test_id, result.recorded.attempt
                ),
            );
        }
    }
    for deviation in batch.deviations.iter().filter(|d| d.is_open()) {
        block(
            "open_deviation",
            format!(
                "deviation {} is open: {}",
                deviation.raised.deviation_id, deviation.raised.description
            ),
        );
    }
    for correction in &batch.corrections {
        let id = correction.corrected.correction_id;
        if correction.awaits_verification() {
            block(
                "correction_pending",
                format!("correction {id} awaits a second person's verification"),
            );
        }
        if correction.awaits_approval() {
            block(
                "correction_pending",
                format!("correction {id} awaits QA's approval"),
            );
        }
    }
    found
}

/// The review by exception: everything unusual in the record, and what the QP may decide.
pub fn review(batch: &Batch, template: &Template, context: &ReviewContext) -> Review {
    let blockers = blockers(batch, template);
    let mut exceptions = Vec::new();
    completeness_exceptions(batch, template, &mut exceptions);
    supervision_exceptions(batch, &mut exceptions);
    late_entries(batch, context.late_after, &mut exceptions);
    rejected_lots(batch, &context.lots, &mut exceptions);
    let oos = batch.oos_results();
    let mut reasons: Vec<String> = blockers.iter().map(|b| b.reason.clone()).collect();
    if !oos.is_empty() {
        reasons.push(format!(
            "{}: it is rejected, or released exceptionally on the treating physician's request",
            describe(&oos)
        ));
        if covering_request(batch, &oos).is_none() {
            reasons.push("no physician's request names these results".to_owned());
        }
    }
    if let Some(release) = &batch.release {
        reasons.push(format!(
            "the QP's decision is made: {}",
            release.decided.decision.as_str()
        ));
    }
    if let Some(reason) = &batch.terminated {
        reasons.push(format!("the batch was terminated: {reason}"));
    }
    let mut decisions = Vec::new();
    if batch.release.is_none() && batch.terminated.is_none() {
        if blockers.is_empty() {
            if oos.is_empty() {
                decisions.push(ReleaseDecision::Released);
            } else if covering_request(batch, &oos).is_some() {
                decisions.push(ReleaseDecision::ReleasedExceptionally);
            }
        }
        decisions.push(ReleaseDecision::Rejected);
    }
    Review {
        exceptions,
        blockers,
        reasons,
        decisions,
    }
}

fn completeness_exceptions(batch: &Batch, template: &Template, out: &mut Vec<Exception>) {
    for step in template.steps() {
        let mut records = batch.records_of(&step.id).peekable();
        if records.peek().is_none() {
            out.push(Exception {
                kind: ExceptionKind::MissingStep,
                description: format!("step {} ({}) is not recorded", step.id, step.title),
                seq: None,
            });
        }
        for record in records.filter(|r| step.verify && r.verified_by.is_none()) {
            out.push(Exception {
                kind: ExceptionKind::MissingVerification,
                description: format!(
                    "step {} record {} (by {}) is not verified by a second person",
                    step.id, record.record, record.performed_by
                ),
                seq: Some(record.seq),
            });
        }
    }
    for test in &template.qc_tests {
        match batch.current_qc_result(&test.id) {
            None => out.push(Exception {
                kind: ExceptionKind::MissingResult,
                description: format!("QC test {} ({}) has no result", test.id, test.title),
                seq: None,
            }),
            Some(result) if result.verified.is_none() => out.push(Exception {
                kind: ExceptionKind::UnverifiedResult,
                description: format!(
                    "the result of QC test {} (by {}) is not verified by a second analyst",
                    test.id, result.entry.by
                ),
                seq: Some(result.entry.seq),
            }),
            Some(_) => {}
        }
    }
    // Every OOS result, also those a re-test has since replaced: the QP sees them all.
    for result in batch.qc_results.iter() {
        if result.recorded.verdict == super::Verdict::Oos {
            let current = batch
                .current_qc_result(&result.recorded.test_id)
                .is_some_and(|c| c.entry.seq == result.entry.seq);
            out.push(Exception {
                kind: ExceptionKind::Oos,
                description: format!(
                    "QC test {} attempt {}: {} against {}{}",
                    result.recorded.test_id,
                    result.recorded.attempt,
                    result.recorded.result,
                    result.recorded.specification,
                    if current { "" } else { " (re-tested since)" }
                ),
                seq: Some(result.entry.seq),
            });
        }
    }
}

fn supervision_exceptions(batch: &Batch, out: &mut Vec<Exception>) {
    for deviation in &batch.deviations {
        let raised = &deviation.raised;
        let class = deviation
            .classification
            .map_or("not classified", |c| c.as_str());
        let state = if deviation.is_open() {
            "open"
        } else {
            "closed"
        };
        if raised.breach.is_some() {
            out.push(Exception {
                kind: ExceptionKind::OutOfRange,
                description: raised.description.clone(),
                seq: Some(deviation.seq),
            });
        }
        out.push(Exception {
            kind: ExceptionKind::Deviation,
            description: format!(
                "deviation {} ({class}, {state}): {}",
                raised.deviation_id, raised.description
            ),
            seq: Some(deviation.seq),
        });
    }
    for correction in &batch.corrections {
        let c = &correction.corrected;
        let mut state = Vec::new();
        if correction.awaits_verification() {
            state.push("awaiting verification");
        }
        if correction.awaits_approval() {
            state.push("awaiting QA approval");
        }
        out.push(Exception {
            kind: ExceptionKind::Correction,
            description: format!(
                "correction {} of {} in step {} record {} by {}: {}{}",
                c.correction_id,
                c.field_id,
                c.step_id,
                c.record,
                correction.by,
                c.reason,
                if state.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", state.join(", "))
                }
            ),
            seq: Some(correction.seq),
        });
    }
    for hold in &batch.holds {
        let lifted = match &hold.resumed {
            Some((reason, entry)) => format!("resumed by {} ({reason})", entry.by),
            None => "in force".to_owned(),
        };
        out.push(Exception {
            kind: ExceptionKind::Hold,
            description: format!("held by {} ({}); {lifted}", hold.entry.by, hold.reason),
            seq: Some(hold.entry.seq),
        });
    }
    for (mismatch, entry) in &batch.coi_mismatch_entries {
        out.push(Exception {
            kind: ExceptionKind::CoiMismatch,
            description: format!(
                "an identifier that is not this batch's ({}) was presented at {} by {}",
                mismatch.presented, mismatch.step_id, entry.by
            ),
            seq: Some(entry.seq),
        });
    }
}

/// A step record entered later than `late_after` after the latest time it states (the
/// contemporaneous in ALCOA+).
fn late_entries(batch: &Batch, late_after: Duration, out: &mut Vec<Exception>) {
    for record in &batch.records {
        let Ok(recorded_at) = DateTime::parse_from_rfc3339(&record.performed_at) else {
            continue;
        };
        let stated = record
            .values
            .values()
            .filter_map(|value| match value {
                FieldValue::Datetime(text) => DateTime::parse_from_rfc3339(text).ok(),
                _ => None,
            })
            .max();
        if let Some(stated) = stated {
            let delay = recorded_at.signed_duration_since(stated);
            if delay > late_after {
                out.push(Exception {
                    kind: ExceptionKind::LateEntry,
                    description: format!(
                        "step {} record {} was recorded {} after the time it states ({}); \
                         entries are due within {}",
                        record.step_id,
                        record.record,
                        minutes(delay),
                        stated.to_rfc3339(),
                        minutes(late_after)
                    ),
                    seq: Some(record.seq),
                });
            }
        }
    }
}

fn minutes(duration: Duration) -> String {
    let minutes = duration.num_minutes();
    if minutes >= 120 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}

fn rejected_lots(batch: &Batch, lots: &BTreeMap<String, Option<Lot>>, out: &mut Vec<Exception>) {
    let rejected = |lot_id: &str| {
        lots.get(lot_id)
            .and_then(Option::as_ref)
            .is_some_and(|lot| lot.status == LotStatus::Rejected)
    };
    for correction in &batch.corrections {
        let c = &correction.corrected;
        if let Some(lot_id) = c.value.material_lot().filter(|id| rejected(id)) {
            out.push(Exception {
                kind: ExceptionKind::RejectedLot,
                description: format!(
                    "lot {lot_id} ({} in step {} record {}, by correction {}) has been rejected \
                     since it was used",
                    c.field_id, c.step_id, c.record, c.correction_id
                ),
                seq: Some(correction.seq),
            });
        }
    }
    for record in &batch.records {
        for (field, value) in &record.values {
            let Some(lot_id) = value.material_lot() else {
                continue;
            };
            if rejected(lot_id) {
                out.push(Exception {
                    kind: ExceptionKind::RejectedLot,
                    description: format!(
                        "lot {lot_id} ({field} in step {} record {}) has been rejected since it \
                         was used",
                        record.step_id, record.record
                    ),
                    seq: Some(record.seq),
                });
            }
        }
    }
}

/// The lots a batch's steps or their corrections named, for the caller to load.
pub fn lots_used(batch: &Batch) -> Vec<String> {
    let recorded = batch.records.iter().flat_map(|r| r.values.values());
    let corrected = batch.corrections.iter().map(|c| &c.corrected.value);
    let mut ids: Vec<String> = recorded
        .chain(corrected)
        .filter_map(|v| v.material_lot().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The latest physician's request that names every current OOS result.
fn covering_request<'b>(batch: &'b Batch, oos: &[&QcResult]) -> Option<&'b PhysicianRequest> {
    batch.physician_requests.iter().rev().find(|request| {
        oos.iter().all(|result| {
            request
                .request
                .oos_results
                .iter()
                .any(|named| named.seq == result.entry.seq)
        })
    })
}

fn oos_results(oos: &[&QcResult]) -> Vec<OosResult> {
    oos.iter()
        .map(|r| OosResult {
            test_id: r.recorded.test_id.clone(),
            attempt: r.recorded.attempt,
            result: r.recorded.result.clone(),
            specification: r.recorded.specification.clone(),
            seq: r.entry.seq,
        })
        .collect()
}

/// The treating physician, told of the OOS results and the risk, asks for the product.
pub fn decide_physician_request(
    batch: &Batch,
    reason: &str,
    risk_acknowledged: bool,
) -> Result<BatchEvent, DomainError> {
    ensure_open(batch)?;
    ensure_undecided(batch)?;
    let oos = batch.oos_results();
    if oos.is_empty() {
        return Err(DomainError::conflict(
            "not_out_of_specification",
            format!(
                "batch {} has no out-of-specification QC result; there is nothing to request",
                batch.created.batch_number
            ),
        ));
    }
    if !risk_acknowledged {
        return Err(DomainError::new(
            "risk_not_acknowledged",
            "risk_acknowledged: the treating physician confirms that they were told of the \
             out-of-specification results and accept the risk for this patient (true)",
        )
        .about("risk_acknowledged"));
    }
    Ok(BatchEvent::PhysicianRequested(PhysicianRequested {
        reason: printable_line(reason, "invalid_reason", "reason", 1..=2000).about("reason")?,
        risk_acknowledged,
        oos_results: oos_results(&oos),
    }))
}

/// The QP's decision, signed with the decision as its meaning.
pub fn decide_release(
    batch: &Batch,
    template: &Template,
    decision: ReleaseDecision,
    justification: Option<&str>,
    qp: &str,
) -> Result<BatchEvent, DomainError> {
    ensure_undecided(batch)?;
    ensure_not_closed(batch)?;
    if batch.participants.iter().any(|p| p == qp) {
        return Err(DomainError::forbidden(
            "qp_took_part",
            format!(
                "you recorded, performed, verified or corrected records of batch {}; another \
                 QP certifies it",
                batch.created.batch_number
            ),
        ));
    }
    let justification = justification
        .filter(|j| !j.trim().is_empty())
        .map(|j| printable_line(j, "invalid_justification", "justification", 1..=2000))
        .transpose()
        .about("justification")?;
    let oos = batch.oos_results();
    let mut physician_request_seq = None;
    if decision != ReleaseDecision::Rejected {
        ensure_open(batch)?;
        let found = blockers(batch, template);
        if let Some(first) = found.first() {
            let all: Vec<&str> = found.iter().map(|b| b.reason.as_str()).collect();
            return Err(DomainError::conflict(first.code, all.join("; ")));
        }
    }
    match decision {
        ReleaseDecision::Released if !oos.is_empty() => {
            return Err(DomainError::conflict(
                "out_of_specification",
                format!(
                    "{}: an out-of-specification batch is rejected, or released exceptionally on \
                     the treating physician's request",
                    describe(&oos)
                ),
            ))
        }
        ReleaseDecision::ReleasedExceptionally => {
            if oos.is_empty() {
                return Err(DomainError::conflict(
                    "not_out_of_specification",
                    "every QC result is within specification: release it normally",
                ));
            }
            let request = covering_request(batch, &oos).ok_or_else(|| {
                DomainError::conflict(
                    "physician_request_missing",
                    format!(
                        "{}: an exceptional release needs the treating physician's signed \
                         request naming these results",
                        describe(&oos)
                    ),
                )
            })?;
            physician_request_seq = Some(request.entry.seq);
        }
        _ => {}
    }
    let needs_justification = decision != ReleaseDecision::Released;
    if needs_justification && justification.is_none() {
        return Err(DomainError::new(
            "justification_required",
            format!(
                "justification: a decision to {} states its reason",
                match decision {
                    ReleaseDecision::Rejected => "reject",
                    _ => "release exceptionally",
                }
            ),
        )
        .about("justification"));
    }
    Ok(BatchEvent::ReleaseDecided(ReleaseDecided {
        decision,
        justification,
        physician_request_seq,
        oos_results: oos_results(&oos),
    }))
}

fn describe(oos: &[&QcResult]) -> String {
    let each: Vec<String> = oos
        .iter()
        .map(|r| {
            format!(
                "{} is {} (specification {})",
                r.recorded.test_id, r.recorded.result, r.recorded.specification
            )
        })
        .collect();
    format!("out of specification: {}", each.join(", "))
}
