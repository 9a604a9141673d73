//! A batch: one patient's cells made into one product, bound to that patient by the chain of
//! identity, recorded step by step against the template version it was pinned to at start.
//! `events` are what the stream `batch/<number>` holds; `Batch::fold` is what they mean now;
//! `decide` holds every rule about recording and verifying steps.

pub mod corrections;
pub mod custody;
pub mod decide;
mod events;
#[cfg(test)]
mod lifecycle_tests;
pub mod next;
pub mod qc;
pub mod references;
pub mod release;
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
    /// Every QC release test has a verified result: waiting for the QP.
    AwaitingRelease,
    Released,
    ReleasedExceptionally,
    /// Refused by the QP for good.
    Rejected,
    /// A shipment is on its way.
    Shipped,
    /// The latest shipment arrived at the treating site.
    Received,
    /// Given to the patient: closed but for follow-up.
    Infused,
    /// Stopped by QA until resumed: nothing can be recorded.
    OnHold,
    /// Ended by QA for good.
    Terminated,
}

impl BatchState {
    pub const ALL: [BatchState; 12] = [
        BatchState::Created,
        BatchState::InProcess,
        BatchState::QcPending,
        BatchState::AwaitingRelease,
        BatchState::Released,
        BatchState::ReleasedExceptionally,
        BatchState::Rejected,
        BatchState::Shipped,
        BatchState::Received,
        BatchState::Infused,
        BatchState::OnHold,
        BatchState::Terminated,
    ];

    /// The state a projection row or a query names, as [`BatchState::as_str`] writes it.
    pub fn parse(name: &str) -> Option<BatchState> {
        BatchState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Manufacturing steps are being recorded: apheresis received, not all steps done.
    pub fn is_manufacturing(self) -> bool {
        matches!(self, BatchState::Created | BatchState::InProcess)
    }

    /// Nothing is left to record but follow-up: infused, rejected or terminated.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            BatchState::Infused | BatchState::Rejected | BatchState::Terminated
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Created => "created",
            BatchState::InProcess => "in_process",
            BatchState::QcPending => "qc_pending",
            BatchState::AwaitingRelease => "awaiting_release",
            BatchState::Released => "released",
            BatchState::ReleasedExceptionally => "released_exceptionally",
            BatchState::Rejected => "rejected",
            BatchState::Shipped => "shipped",
            BatchState::Received => "received",
            BatchState::Infused => "infused",
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

    /// Verification comes first, then QA's approval; then the corrected value is in effect.
    pub fn status(&self) -> ValueStatus {
        if self.awaits_verification() {
            ValueStatus::AwaitingVerification
        } else if self.awaits_approval() {
            ValueStatus::AwaitingApproval
        } else {
            ValueStatus::InEffect
        }
    }
}

/// Who did something, when, and the entry that says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub by: String,
    pub at: String,
    pub seq: i64,
    pub hash: String,
}

impl Attribution {
    fn of<E>(recorded: &Recorded<E>) -> Attribution {
        Attribution {
            by: recorded.actor.clone(),
            at: recorded.recorded_at.clone(),
            seq: recorded.seq,
            hash: recorded.hash.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HoldRecord {
    pub reason: String,
    pub entry: Attribution,
    /// Why and by whom it was lifted.
    pub resumed: Option<(String, Attribution)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QcResult {
    pub recorded: QcResultRecorded,
    pub entry: Attribution,
    pub verified: Option<Attribution>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhysicianRequest {
    pub request: PhysicianRequested,
    pub entry: Attribution,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub decided: ReleaseDecided,
    pub entry: Attribution,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shipment {
    pub dispatched: ShipmentDispatched,
    pub entry: Attribution,
    pub receipt: Option<(ShipmentReceived, Attribution)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BedsideCheckRecord {
    pub check: BedsideCheck,
    pub entry: Attribution,
    pub witnessed: Option<Attribution>,
    /// A mismatch was recorded after it: it no longer counts.
    pub voided: bool,
}

impl BedsideCheckRecord {
    pub fn passed(&self) -> bool {
        self.witnessed.is_some() && !self.voided
    }

    /// Read by one clinician, waiting for a second one's witness.
    pub fn awaits_witness(&self) -> bool {
        self.witnessed.is_none() && !self.voided
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Infusion {
    pub infused: Infused,
    pub entry: Attribution,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpVisit {
    pub visit: FollowUp,
    pub entry: Attribution,
}

impl Deviation {
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }

    pub fn state(&self) -> DeviationState {
        if self.is_open() {
            DeviationState::Open
        } else {
            DeviationState::Closed
        }
    }
}

/// A deviation is open until QA closes it with its investigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviationState {
    Open,
    Closed,
}

impl DeviationState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviationState::Open => "open",
            DeviationState::Closed => "closed",
        }
    }
}

/// Where one step (or one QC test) of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Nothing recorded yet.
    Pending,
    /// Recorded, waiting for a second person's verification.
    Recorded,
    /// Recorded and, where it asks for it, verified.
    Done,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Recorded => "recorded",
            StepStatus::Done => "done",
        }
    }

    /// A step is recorded once, unless it is repeatable (each record is another one).
    pub fn may_record(self, repeatable: bool) -> bool {
        self == StepStatus::Pending || repeatable
    }

    /// What a second person verifies.
    pub fn awaits_verification(self) -> bool {
        self == StepStatus::Recorded
    }
}

/// Where one value of a record stands in its history: as recorded, or corrected and waiting
/// for the second person's verification, QA's approval, or in effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ValueStatus {
    #[serde(rename = "recorded")]
    Recorded,
    #[serde(rename = "awaiting verification")]
    AwaitingVerification,
    #[serde(rename = "awaiting approval")]
    AwaitingApproval,
    #[serde(rename = "in effect")]
    InEffect,
}

impl ValueStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueStatus::Recorded => "recorded",
            ValueStatus::AwaitingVerification => "awaiting verification",
            ValueStatus::AwaitingApproval => "awaiting approval",
            ValueStatus::InEffect => "in effect",
        }
    }

    pub fn parse(name: &str) -> Option<ValueStatus> {
        [
            ValueStatus::Recorded,
            ValueStatus::AwaitingVerification,
            ValueStatus::AwaitingApproval,
            ValueStatus::InEffect,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// The name a message id is made of (`correction-awaiting-verification`).
    pub fn slug(self) -> &'static str {
        match self {
            ValueStatus::Recorded => "recorded",
            ValueStatus::AwaitingVerification => "awaiting-verification",
            ValueStatus::AwaitingApproval => "awaiting-approval",
            ValueStatus::InEffect => "in-effect",
        }
    }
}

/// What the stream of a batch says now.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub created: BatchCreated,
    pub created_by: String,
    /// When the batch was started (its `batch.created` entry), RFC 3339 UTC.
    pub created_at: String,
    pub records: Vec<StepRecord>,
    pub deviations: Vec<Deviation>,
    pub corrections: Vec<Correction>,
    /// Everyone who recorded or verified anything in the batch, for segregation of duties.
    pub participants: Vec<String>,
    /// Every hold, in force or lifted, for the QP's review.
    pub holds: Vec<HoldRecord>,
    pub terminated: Option<String>,
    pub qc_results: Vec<QcResult>,
    pub physician_requests: Vec<PhysicianRequest>,
    pub release: Option<Release>,
    pub shipments: Vec<Shipment>,
    pub bedside_checks: Vec<BedsideCheckRecord>,
    pub infusion: Option<Infusion>,
    pub follow_ups: Vec<FollowUpVisit>,
    /// Every `batch.coi_mismatch` entry, in order.
    pub coi_mismatch_entries: Vec<(CoiMismatch, Attribution)>,
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
                        created_at: recorded.recorded_at.clone(),
                        records: Vec::new(),
                        deviations: Vec::new(),
                        corrections: Vec::new(),
                        participants: vec![recorded.actor.clone()],
                        holds: Vec::new(),
                        terminated: None,
                        qc_results: Vec::new(),
                        physician_requests: Vec::new(),
                        release: None,
                        shipments: Vec::new(),
                        bedside_checks: Vec::new(),
                        infusion: None,
                        follow_ups: Vec::new(),
                        coi_mismatch_entries: Vec::new(),
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

    /// The batch after one more event of its stream: what a write appended, applied to the
    /// fold it decided on, so that nothing reads the stream again to know the batch now.
    pub fn extend(&mut self, recorded: &Recorded<BatchEvent>) {
        self.apply(recorded, &recorded.event);
    }

    fn apply(&mut self, recorded: &Recorded<BatchEvent>, event: &BatchEvent) {
        // Whoever wrote anything in the batch took part in it (a QP never certifies it).
        if !matches!(event, BatchEvent::SignatureApplied(_)) {
            self.participate(&recorded.actor);
        }
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
            BatchEvent::CoiMismatch(mismatch) => {
                if mismatch.step_id == custody::BEDSIDE_CHECK {
                    for check in &mut self.bedside_checks {
                        check.voided = true;
                    }
                }
                let entry = Attribution::of(recorded);
                self.coi_mismatch_entries.push((mismatch.clone(), entry));
            }
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
            BatchEvent::Held(held) => {
                self.holds.push(HoldRecord {
                    reason: held.reason.clone(),
                    entry: Attribution::of(recorded),
                    resumed: None,
                });
            }
            BatchEvent::Resumed(resumed) => {
                if let Some(last) = self.holds.last_mut().filter(|h| h.resumed.is_none()) {
                    last.resumed = Some((resumed.reason.clone(), Attribution::of(recorded)));
                }
            }
            BatchEvent::Terminated(t) => self.terminated = Some(t.reason.clone()),
            _ => self.apply_after_manufacturing(recorded, event),
        }
    }

    /// QC, certification, custody, the bedside and the patient.
    fn apply_after_manufacturing(&mut self, recorded: &Recorded<BatchEvent>, event: &BatchEvent) {
        let entry = Attribution::of(recorded);
        match event {
            BatchEvent::QcResultRecorded(result) => {
                self.participate(&recorded.actor);
                self.qc_results.push(QcResult {
                    recorded: result.clone(),
                    entry,
                    verified: None,
                });
            }
            BatchEvent::QcResultVerified(r) => {
                self.participate(&recorded.actor);
                if let Some(found) = self
                    .qc_results
                    .iter_mut()
                    .find(|q| q.recorded.test_id == r.test_id && q.recorded.attempt == r.attempt)
                {
                    found.verified = Some(entry);
                }
            }
            BatchEvent::PhysicianRequested(request) => {
                self.physician_requests.push(PhysicianRequest {
                    request: request.clone(),
                    entry,
                })
            }
            BatchEvent::ReleaseDecided(decided) => {
                self.release = Some(Release {
                    decided: decided.clone(),
                    entry,
                })
            }
            BatchEvent::ShipmentDispatched(dispatched) => {
                // The product moves on: a check made where it was no longer counts.
                for check in &mut self.bedside_checks {
                    check.voided = true;
                }
                self.shipments.push(Shipment {
                    dispatched: dispatched.clone(),
                    entry,
                    receipt: None,
                });
            }
            BatchEvent::ShipmentReceived(received) => {
                if let Some(shipment) = self
                    .shipments
                    .iter_mut()
                    .find(|s| s.dispatched.shipment_id == received.shipment_id)
                {
                    shipment.receipt = Some((received.clone(), entry));
                }
            }
            BatchEvent::BedsideChecked(check) => self.bedside_checks.push(BedsideCheckRecord {
                check: check.clone(),
                entry,
                witnessed: None,
                voided: false,
            }),
            BatchEvent::BedsideWitnessed(check) => {
                if let Some(found) = self
                    .bedside_checks
                    .iter_mut()
                    .find(|c| c.check.check_id == check.check_id)
                {
                    found.witnessed = Some(entry);
                }
            }
            BatchEvent::Infused(infused) => {
                self.infusion = Some(Infusion {
                    infused: infused.clone(),
                    entry,
                })
            }
            BatchEvent::FollowUpRecorded(visit) => self.follow_ups.push(FollowUpVisit {
                visit: visit.clone(),
                entry,
            }),
            _ => {}
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

    /// Pending until recorded; recorded until every record is verified where the step asks
    /// for a second person; then done.
    pub fn step_status(&self, step: &super::template::Step) -> StepStatus {
        let mut records = self.records_of(&step.id).peekable();
        if records.peek().is_none() {
            StepStatus::Pending
        } else if step.verify && records.any(|r| r.verified_by.is_none()) {
            StepStatus::Recorded
        } else {
            StepStatus::Done
        }
    }

    pub fn coi(&self) -> Result<Coi, DomainError> {
        Coi::parse(&self.created.coi)
    }

    /// Derived from the records and the template, never stored: it cannot disagree with them.
    pub fn state(&self, template: &Template) -> BatchState {
        if self.terminated.is_some() {
            return BatchState::Terminated;
        }
        if self.infusion.is_some() {
            return BatchState::Infused;
        }
        let decision = self.release.as_ref().map(|r| r.decided.decision);
        if decision == Some(ReleaseDecision::Rejected) {
            return BatchState::Rejected;
        }
        if self.hold().is_some() {
            return BatchState::OnHold;
        }
        if let Some(decision) = decision {
            return match self.shipments.last() {
                Some(shipment) if shipment.receipt.is_some() => BatchState::Received,
                Some(_) => BatchState::Shipped,
                None if decision == ReleaseDecision::Released => BatchState::Released,
                None => BatchState::ReleasedExceptionally,
            };
        }
        if self.records.is_empty() {
            return BatchState::Created;
        }
        if !self.manufacturing_verified(template) {
            BatchState::InProcess
        } else if self.qc_complete(template) {
            BatchState::AwaitingRelease
        } else {
            BatchState::QcPending
        }
    }

    /// Every step recorded, every record and correction that needs a second person verified.
    pub fn manufacturing_verified(&self, template: &Template) -> bool {
        template.steps().all(|step| {
            let mut records = self.records_of(&step.id).peekable();
            records.peek().is_some() && records.all(|r| !step.verify || r.verified_by.is_some())
        }) && self.corrections.iter().all(|c| !c.awaits_verification())
    }

    /// Every QC release test of the template has a current result, verified.
    pub fn qc_complete(&self, template: &Template) -> bool {
        template.qc_tests.iter().all(|test| {
            self.current_qc_result(&test.id)
                .is_some_and(|r| r.verified.is_some())
        })
    }

    /// The latest result of a QC test: the one that counts (earlier ones stay on the record).
    pub fn current_qc_result(&self, test_id: &str) -> Option<&QcResult> {
        self.qc_results
            .iter()
            .rev()
            .find(|r| r.recorded.test_id == test_id)
    }

    /// The reason of the hold in force, if any: the last hold, unless it was lifted.
    pub fn hold(&self) -> Option<&str> {
        self.holds
            .last()
            .filter(|h| h.resumed.is_none())
            .map(|h| h.reason.as_str())
    }

    /// How many identifiers that were not this batch's were presented, at steps or bedside.
    pub fn coi_mismatches(&self) -> u32 {
        u32::try_from(self.coi_mismatch_entries.len()).unwrap_or(u32::MAX)
    }

    /// Every out-of-specification result, re-tested since or not: a re-test never makes an
    /// OOS result go away (no testing into compliance).
    pub fn oos_results(&self) -> Vec<&QcResult> {
        self.qc_results
            .iter()
            .filter(|r| r.recorded.verdict == Verdict::Oos)
            .collect()
    }

    /// Whoever recorded or verified a QC result of this batch: never also its maker.
    pub fn tested_by(&self, who: &str) -> bool {
        self.qc_results
            .iter()
            .any(|r| r.entry.by == who || r.verified.as_ref().is_some_and(|v| v.by == who))
    }

    /// Whoever performed, verified or corrected a manufacturing step of this batch.
    pub fn made_by(&self, who: &str) -> bool {
        self.records
            .iter()
            .any(|r| r.performed_by == who || r.verified_by.as_deref() == Some(who))
            || self
                .corrections
                .iter()
                .any(|c| c.by == who || c.verified_by.as_deref() == Some(who))
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
