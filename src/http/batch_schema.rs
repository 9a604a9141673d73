//! The schema of a batch record as `GET /api/v1/batches/{batch_number}` answers it.
//!
//! The answer is `crate::batches::view::BatchView`; these types only describe it for the
//! OpenAPI document and are never built. They mirror that module by hand because it is being
//! changed in parallel with this one; once it settles, derive `utoipa::ToSchema` on the view
//! types themselves and delete this file. Until then `tests/api/openapi.rs` validates a real
//! batch record against this schema, so a field renamed or removed there fails a test here.

#![allow(dead_code)]

use std::collections::BTreeMap;

use utoipa::ToSchema;

/// The whole batch record: every step of the pinned template with its records, who performed
/// and verified each, every signature's manifestation, and the deviations.
#[derive(ToSchema)]
pub struct BatchView {
    batch_number: String,
    /// The chain of identity identifier (ISBT 128).
    coi: String,
    /// The identifier with its ISO/IEC 7064 mod 37-2 check character, as labels print it.
    coi_printed: String,
    /// E.g. `created`, `in_process`, `qc_pending`.
    state: String,
    template: TemplateRef,
    patient: Patient,
    created_by: String,
    steps: Vec<StepView>,
    deviations: Vec<DeviationView>,
    /// How many chain-of-identity confirmations did not match.
    coi_mismatches: u32,
    /// The number of events in the batch's stream: its `ETag`, for `If-Match`.
    position: i64,
}

#[derive(ToSchema)]
pub struct TemplateRef {
    code: String,
    version: u32,
}

#[derive(ToSchema)]
pub struct Patient {
    patient_code: String,
    /// `YYYY-MM-DD`.
    date_of_birth: String,
    treating_site: String,
    /// Kilograms, as a decimal string.
    weight_kg: String,
}

#[derive(ToSchema)]
pub struct StepView {
    step_id: String,
    title: String,
    /// The role that performs the step.
    role: String,
    /// Whether a second person must verify each record.
    verify: bool,
    /// Whether the step re-confirms the chain of identity.
    coi: bool,
    repeatable: bool,
    /// `pending`, `recorded` (waiting for verification) or `done`.
    status: String,
    records: Vec<RecordView>,
}

#[derive(ToSchema)]
pub struct RecordView {
    /// 1 for the first record of the step, counting up for a repeatable step.
    record: u32,
    /// The ledger entry that recorded it: what its signatures bind to.
    seq: i64,
    performed_by: String,
    performed_at: String,
    verified_by: Option<String>,
    verified_at: Option<String>,
    /// By field id.
    values: BTreeMap<String, ValueView>,
    signatures: Vec<Manifestation>,
}

#[derive(ToSchema)]
pub struct ValueView {
    label: String,
    /// As recorded: a decimal string, text, a boolean, a lot or equipment id, an attachment's
    /// SHA-256.
    #[schema(value_type = Value)]
    value: serde_json::Value,
    unit: Option<String>,
    min: Option<String>,
    max: Option<String>,
    in_range: bool,
}

/// What a signature shows (21 CFR Part 11 §11.50): printed name, date and time, meaning.
#[derive(ToSchema)]
pub struct Manifestation {
    signer: String,
    signer_full_name: String,
    meaning: String,
    signed_at: String,
    signature_seq: i64,
}

#[derive(ToSchema)]
pub struct DeviationView {
    deviation_id: u32,
    description: String,
    /// Raised by the server (e.g. a value out of range) rather than by a person.
    automatic: bool,
    step_id: Option<String>,
    field_id: Option<String>,
    raised_by: String,
    raised_at: String,
    /// `open` until QA closes it.
    state: String,
}
