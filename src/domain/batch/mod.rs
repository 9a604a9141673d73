//! A batch: one patient's cells made into one product, bound to that patient by the chain of
//! identity, recorded step by step against the template version it was pinned to at start.
//! `events` are what the stream `batch/<number>` holds; `Batch::fold` is what they mean now;
//! `decide` holds every rule about recording and verifying steps.

pub mod corrections;
pub mod decide;
mod events;
pub mod supervision;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use events::*;

use super::coi::Coi;
use super::template::{FieldValue, Template};
use super::{DomainError, Recorded};

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Apheresis material received, no manufacturing step recorded yet.
    Created,
    InProcess,
    /// Every manufacturing step recorded and verified: waiting for QC.
    QcPending,
    /// Stopped by QA until resumed: nothing can be recorded.
    OnHold,
    /// Ended by QA for good.
    Terminated,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Created => "created",
            BatchState::InProcess => "in_process",
            BatchState::QcPending => "qc_pending",
            BatchState::OnHold => "on_hold",
            BatchState::Terminated => "terminated",
        }
    }
}

/// One record of a step (a repeatable step has several).
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub step_id: String,
    pub record: u32,
    pub values: BTreeMap<String, FieldValue>,
    pub performed_by: String,
    pub performed_at: String,
    /// The `batch.step_recorded` entry: what signatures bind to.
    pub seq: i64,
    pub hash: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deviation {
    pub raised: DeviationRaised,
    pub raised_by: String,
    pub raised_at: String,
    pub seq: i64,
    pub classification: Option<Classification>,
    pub closed: Option<(DeviationClosed, String, String)>,
}

/// A correction of a value, with whoever verified or approved it.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub corrected: ValueCorrected,
    pub by: String,
    pub at: String,
    pub seq: i64,
    pub hash: String,
    pub verified_by: Option<String>,
    pub approved_by: Option<String>,
}

impl Correction {
    pub fn awaits_verification(&self) -> bool {
        self.corrected.needs_verification && self.verified_by.is_none()
    }

    pub fn awaits_approval(&self) -> bool {
        self.corrected.needs_approval && self.approved_by.is_none()
    }
}

impl Deviation {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

/// What the stream of a batch says now.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub created: BatchCreated,
    pub created_by: String,
    pub records: Vec<StepRecord>,
    pub deviations: Vec<Deviation>,
    pub coi_mismatches: u32,
    pub corrections: Vec<Correction>,
    /// Everyone who recorded or verified anything in the batch, for segregation of duties.
    pub participants: Vec<String>,
    /// The reason of the hold in force, if any.
    pub hold: Option<String>,
    pub terminated: Option<String>,
}

impl Batch {
    /// `None` for a stream with no `batch.created`.
    pub fn fold(events: &[Recorded<BatchEvent>]) -> Result<Option<Batch>, DomainError> {
        let mut batch: Option<Batch> = None;
        for recorded in events {
            match (&mut batch, &recorded.event) {
                (None, BatchEvent::Created(created)) => {
                    batch = Some(Batch {
                        created: created.clone(),
                        created_by: recorded.actor.clone(),
                        records: Vec::new(),
                        deviations: Vec::new(),
                        coi_mismatches: 0,
                        corrections: Vec::new(),
                        participants: vec![recorded.actor.clone()],
                        hold: None,
                        terminated: None,
                    })
                }
                (Some(batch), event) => batch.apply(recorded, event),
                (None, _) => {
                    return Err(DomainError::new(
                        "corrupt_batch",
                        format!("entry {} comes before the batch was created", recorded.seq),
                    ))
                }
            }
        }
        Ok(batch)
    }

    fn apply(&mut self, recorded: &Recorded<BatchEvent>, event: &BatchEvent) {
        match event {
            BatchEvent::Created(_) | BatchEvent::SignatureApplied(_) => {}
            BatchEvent::StepRecorded(step) => {
                self.participate(&recorded.actor);
                self.records.push(StepRecord {
                    step_id: step.step_id.clone(),
                    record: step.record,
                    values: step.values.clone(),
                    performed_by: recorded.actor.clone(),
                    performed_at: recorded.recorded_at.clone(),
                    seq: recorded.seq,
                    hash: recorded.hash.clone(),
                    verified_by: None,
                    verified_at: None,
                });
            }
            BatchEvent::StepVerified(verified) => {
                self.participate(&recorded.actor);
                if let Some(record) = self.record_mut(&verified.step_id, verified.record) {
                    record.verified_by = Some(recorded.actor.clone());
                    record.verified_at = Some(recorded.recorded_at.clone());
                }
            }
            BatchEvent::DeviationRaised(raised) => self.deviations.push(Deviation {
                raised: raised.clone(),
                raised_by: recorded.actor.clone(),
                raised_at: recorded.recorded_at.clone(),
                seq: recorded.seq,
                classification: None,
                closed: None,
            }),
            BatchEvent::CoiMismatch(_) => self.coi_mismatches += 1,
            BatchEvent::DeviationClassified(c) => {
                if let Some(d) = self.deviation_mut(c.deviation_id) {
                    d.classification = Some(c.classification);
                }
            }
            BatchEvent::DeviationClosed(closed) => {
                let by = (recorded.actor.clone(), recorded.recorded_at.clone());
                if let Some(d) = self.deviation_mut(closed.deviation_id) {
                    d.closed = Some((closed.clone(), by.0, by.1));
                }
            }
            BatchEvent::ValueCorrected(corrected) => {
                self.participate(&recorded.actor);
                self.corrections.push(Correction {
                    corrected: corrected.clone(),
                    by: recorded.actor.clone(),
                    at: recorded.recorded_at.clone(),
                    seq: recorded.seq,
                    hash: recorded.hash.clone(),
                    verified_by: None,
                    approved_by: None,
                });
            }
            BatchEvent::CorrectionVerified(c) => {
                self.participate(&recorded.actor);
                if let Some(found) = self.correction_mut(c.correction_id) {
                    found.verified_by = Some(recorded.actor.clone());
                }
            }
            BatchEvent::CorrectionApproved(c) => {
                if let Some(found) = self.correction_mut(c.correction_id) {
                    found.approved_by = Some(recorded.actor.clone());
                }
            }
            BatchEvent::Held(held) => self.hold = Some(held.reason.clone()),
            BatchEvent::Resumed(_) => self.hold = None,
            BatchEvent::Terminated(t) => self.terminated = Some(t.reason.clone()),
        }
    }

    fn participate(&mut self, who: &str) {
        if !self.participants.iter().any(|p| p == who) {
            self.participants.push(who.to_owned());
        }
    }

    fn record_mut(&mut self, step_id: &str, record: u32) -> Option<&mut StepRecord> {
        self.records
            .iter_mut()
            .find(|r| r.step_id == step_id && r.record == record)
    }

    pub fn correction(&self, id: u32) -> Option<&Correction> {
        self.corrections
            .iter()
            .find(|c| c.corrected.correction_id == id)
    }

    fn correction_mut(&mut self, id: u32) -> Option<&mut Correction> {
        self.corrections
            .iter_mut()
            .find(|c| c.corrected.correction_id == id)
    }

    /// Corrections of any field of one record.
    pub fn corrections_of_record<'a>(
        &'a self,
        step_id: &'a str,
        record: u32,
    ) -> impl Iterator<Item = &'a Correction> {
        self.corrections
            .iter()
            .filter(move |c| c.corrected.step_id == step_id && c.corrected.record == record)
    }

    /// Corrections of one field of one record, oldest first.
    pub fn corrections_of<'a>(
        &'a self,
        step_id: &'a str,
        record: u32,
        field_id: &'a str,
    ) -> impl Iterator<Item = &'a Correction> {
        self.corrections.iter().filter(move |c| {
            c.corrected.step_id == step_id
                && c.corrected.record == record
                && c.corrected.field_id == field_id
        })
    }

    pub fn deviation(&self, id: u32) -> Option<&Deviation> {
        self.deviations.iter().find(|d| d.raised.deviation_id == id)
    }

    fn deviation_mut(&mut self, id: u32) -> Option<&mut Deviation> {
        self.deviations
            .iter_mut()
            .find(|d| d.raised.deviation_id == id)
    }

    pub fn records_of<'a>(&'a self, step_id: &'a str) -> impl Iterator<Item = &'a StepRecord> {
        self.records.iter().filter(move |r| r.step_id == step_id)
    }

    pub fn coi(&self) -> Result<Coi, DomainError> {
        Coi::parse(&self.created.coi)
    }

    /// Derived from the records and the template, never stored: it cannot disagree with them.
    pub fn state(&self, template: &Template) -> BatchState {
        if self.terminated.is_some() {
            return BatchState::Terminated;
        }
        if self.hold.is_some() {
            return BatchState::OnHold;
        }
        if self.records.is_empty() {
            return BatchState::Created;
        }
        let complete = template.steps().all(|step| {
            let mut records = self.records_of(&step.id).peekable();
            records.peek().is_some() && records.all(|r| !step.verify || r.verified_by.is_some())
        }) && self.corrections.iter().all(|c| !c.awaits_verification());
        if complete {
            BatchState::QcPending
        } else {
            BatchState::InProcess
        }
    }

    /// Every step of the template has been recorded at least once: manufacturing is complete,
    /// and stays so whatever is corrected or verified later (a correction from then on needs
    /// QA's approval).
    pub fn manufacturing_recorded(&self, template: &Template) -> bool {
        template
            .steps()
            .all(|step| self.records_of(&step.id).next().is_some())
    }

    pub fn next_deviation_id(&self) -> u32 {
        u32::try_from(self.deviations.len()).unwrap_or(u32::MAX - 1) + 1
    }
}
