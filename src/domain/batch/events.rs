//! The events of stream `batch/<batch_number>`.

use std::collections::BTreeMap;

use chrono::NaiveDate;
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
    pub step_id: String,
    /// What was typed or scanned, as normalized.
    pub presented: String,
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
