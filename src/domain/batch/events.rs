//! The events of stream `batch/<batch_number>`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::quantity::Decimal;
use crate::domain::signature::SignatureApplied;
use crate::domain::template::{FieldValue, RangeBreach};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum BatchEvent {
    #[serde(rename = "batch.created")]
    Created(BatchCreated),
    #[serde(rename = "batch.step_recorded")]
    StepRecorded(StepRecorded),
    #[serde(rename = "batch.step_verified")]
    StepVerified(StepVerified),
    #[serde(rename = "batch.deviation_raised")]
    DeviationRaised(DeviationRaised),
    /// A security event: an identifier that was not this batch's was presented at a step.
    #[serde(rename = "batch.coi_mismatch")]
    CoiMismatch(CoiMismatch),
    #[serde(rename = "batch.deviation_classified")]
    DeviationClassified(DeviationClassified),
    #[serde(rename = "batch.deviation_closed")]
    DeviationClosed(DeviationClosed),
    #[serde(rename = "batch.value_corrected")]
    ValueCorrected(ValueCorrected),
    #[serde(rename = "batch.correction_verified")]
    CorrectionVerified(CorrectionRef),
    #[serde(rename = "batch.correction_approved")]
    CorrectionApproved(CorrectionRef),
    #[serde(rename = "batch.held")]
    Held(Reasoned),
    #[serde(rename = "batch.resumed")]
    Resumed(Reasoned),
    #[serde(rename = "batch.terminated")]
    Terminated(Reasoned),
    #[serde(rename = "batch.qc_result_recorded")]
    QcResultRecorded(QcResultRecorded),
    #[serde(rename = "batch.qc_result_verified")]
    QcResultVerified(QcResultRef),
    /// The treating physician's request for an out-of-specification product.
    #[serde(rename = "batch.physician_requested")]
    PhysicianRequested(PhysicianRequested),
    /// The QP's certification, rejection or exceptional release.
    #[serde(rename = "batch.release_decided")]
    ReleaseDecided(ReleaseDecided),
    #[serde(rename = "batch.shipment_dispatched")]
    ShipmentDispatched(ShipmentDispatched),
    #[serde(rename = "batch.shipment_received")]
    ShipmentReceived(ShipmentReceived),
    /// The first clinician's identity check at the bedside (signed `performed`).
    #[serde(rename = "batch.bedside_checked")]
    BedsideChecked(BedsideCheck),
    /// The second clinician's check of the same (signed `witnessed`).
    #[serde(rename = "batch.bedside_witnessed")]
    BedsideWitnessed(BedsideCheck),
    /// The product given to the patient: the batch is closed but for follow-up.
    #[serde(rename = "batch.infused")]
    Infused(Infused),
    #[serde(rename = "batch.follow_up_recorded")]
    FollowUpRecorded(FollowUp),
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

/// Apheresis material received for one patient, known only by a pseudonymous code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCreated {
    pub batch_number: String,
    /// The ISBT 128 chain of identity identifier, 15 characters.
    pub coi: String,
    pub template_code: String,
    pub template_version: u32,
    pub patient_code: String,
    pub date_of_birth: NaiveDate,
    pub treating_site: String,
    pub patient_weight_kg: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRecorded {
    pub step_id: String,
    /// 1 for a step recorded once; counts up for a repeatable step.
    pub record: u32,
    pub values: BTreeMap<String, FieldValue>,
    /// The step re-confirmed the chain of identity (the identifier matched).
    pub coi_confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepVerified {
    pub step_id: String,
    pub record: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationRaised {
    pub deviation_id: u32,
    pub description: String,
    /// Raised by the server for a value outside its acceptance range.
    pub automatic: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach: Option<RangeBreach>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoiMismatch {
    /// The step, or `bedside_check`.
    pub step_id: String,
    /// What was typed or scanned, as normalized.
    pub presented: String,
    /// Where it was read at the bedside: `product label` or `patient wristband`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Stream `coi/<identifier>`: the identifier is reserved for one batch, once, so that two
/// batches never share a chain of identity (the ledger refuses a second first event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum CoiEvent {
    #[serde(rename = "coi.assigned")]
    Assigned(CoiAssigned),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoiAssigned {
    pub batch_number: String,
    /// `server` when cartrec gave the next identifier, `collection_centre` when one was given.
    pub assigned_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Minor,
    Major,
    Critical,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Minor => "minor",
            Classification::Major => "major",
            Classification::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationClassified {
    pub deviation_id: u32,
    pub classification: Classification,
}

/// QA's closure of a deviation, signed `approved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviationClosed {
    pub deviation_id: u32,
    pub investigation: String,
    pub root_cause: String,
    pub capa_ref: String,
}

/// A hold, its lifting, or the termination of a batch, with QA's reason (signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reasoned {
    pub reason: String,
}

/// The entry whose value a correction replaces (the step record, or an earlier correction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrects {
    pub seq: i64,
    pub hash: String,
}

/// Never an edit: a new value for one field of one step record, naming the entry it corrects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueCorrected {
    pub correction_id: u32,
    pub step_id: String,
    pub record: u32,
    pub field_id: String,
    pub value: FieldValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<FieldValue>,
    pub reason: String,
    pub corrects: Corrects,
    /// The corrected record had been verified: a second person verifies the correction too.
    pub needs_verification: bool,
    /// Manufacturing was complete: QA approves the correction.
    pub needs_approval: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRef {
    pub correction_id: u32,
}

/// How a QC result reads against its specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within specification.
    Pass,
    /// Out of specification.
    Oos,
    /// A reported value with no limit in the template.
    Reported,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Oos => "oos",
            Verdict::Reported => "reported",
        }
    }
}

/// A QC release test result as observed, with the verdict against the template's
/// specification, which the event also states in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QcResultRecorded {
    pub test_id: String,
    /// 1 for the first result of the test; a re-test after an OOS result counts up.
    pub attempt: u32,
    pub result: String,
    pub specification: String,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QcResultRef {
    pub test_id: String,
    pub attempt: u32,
}

/// One out-of-specification result, as a request or decision names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OosResult {
    pub test_id: String,
    pub attempt: u32,
    pub result: String,
    pub specification: String,
    /// The `batch.qc_result_recorded` entry.
    pub seq: i64,
}

/// The treating physician was told of these OOS results and of the risk, and asks for the
/// product all the same (EudraLex Vol 4 Part IV §11.54).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhysicianRequested {
    pub reason: String,
    pub risk_acknowledged: bool,
    pub oos_results: Vec<OosResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseDecision {
    Released,
    Rejected,
    ReleasedExceptionally,
}

impl ReleaseDecision {
    /// The decision a path or a form names, as [`ReleaseDecision::as_str`] writes it.
    pub fn parse(name: &str) -> Option<ReleaseDecision> {
        [
            ReleaseDecision::Released,
            ReleaseDecision::Rejected,
            ReleaseDecision::ReleasedExceptionally,
        ]
        .into_iter()
        .find(|d| d.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseDecision::Released => "released",
            ReleaseDecision::Rejected => "rejected",
            ReleaseDecision::ReleasedExceptionally => "released_exceptionally",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseDecided {
    pub decision: ReleaseDecision,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// For an exceptional release: the physician's request it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physician_request_seq: Option<i64>,
    /// The OOS results the decision was made on (empty for a batch within specification).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub oos_results: Vec<OosResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentDispatched {
    pub shipment_id: u32,
    pub shipper_id: String,
    pub container_id: String,
    pub logger_id: String,
    pub dispatched_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentReceived {
    pub shipment_id: u32,
    pub received_at: DateTime<Utc>,
    pub min_temperature_c: Decimal,
    pub max_temperature_c: Decimal,
    pub container_intact: bool,
    /// The template's limit at the time, so the record shows what the logger was judged by.
    pub limit_c: Decimal,
    /// The logger's maximum was warmer than the limit.
    pub excursion: bool,
    /// The deviation an excursion or a damaged container raised with the receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deviation_id: Option<u32>,
}

/// Both identifiers read at the bedside, each equal to the batch's chain of identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedsideCheck {
    pub check_id: u32,
    pub product_coi: String,
    pub patient_coi: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Infused {
    pub thaw_started_at: DateTime<Utc>,
    pub infusion_started_at: DateTime<Utc>,
    pub infusion_ended_at: DateTime<Utc>,
    pub bags: u32,
    pub dose_car_t_per_kg: Decimal,
    pub premedication: String,
    pub immediate_reactions: String,
    /// The two-person check it followed.
    pub bedside_check_id: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdverseEvent {
    /// The event as the clinician names it (e.g. a MedDRA preferred term).
    pub term: String,
    /// CTCAE grade, 1 (mild) to 5 (death).
    pub grade: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub visit: u32,
    pub visit_date: NaiveDate,
    pub disease_status: String,
    pub immunosuppression: String,
    pub adverse_events: Vec<AdverseEvent>,
    pub secondary_malignancy: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}
