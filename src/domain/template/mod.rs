//! The master batch record (process template): the QA-approved definition of a process, its
//! stages, steps, fields and acceptance ranges, and the QC release tests. It is parsed once,
//! completely validated, and only then used, so that a batch can never be run against a
//! template with a field nobody can fill in or a range nobody can meet. The JSON format is
//! documented in `templates/README.md`; this parser is its authority.

mod format;
pub mod lifecycle;
mod validation;
mod values;

use serde::{Deserialize, Serialize};

use super::quantity::Decimal;
use super::{DomainError, Role};

pub use values::{Field, FieldType, FieldValue, Limit, RangeBreach, MAX_SAFE_INTEGER};

/// The `step_id` the batch record gives a COI mismatch at the bedside. Templates own the step
/// ids, so it is defined here and reserved: no template step may take it.
pub const BEDSIDE_CHECK: &str = "bedside_check";

/// Larger than any real master batch record, small enough to parse without thought.
const MAX_TEMPLATE_BYTES: usize = 1 << 20;

/// A validated process template. Serializes to the JSON format it was parsed from, and
/// deserializing validates again, so a stored template reads back only if it is still valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "format::RawTemplate")]
pub struct Template {
    pub code: String,
    pub version: u32,
    pub title: String,
    pub stages: Vec<Stage>,
    pub qc_tests: Vec<QcTest>,
    /// What a shipment to the treating site must keep to; without it, receipts are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Shipping>,
}

/// The limits of transport in the dry shipper.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shipping {
    /// The warmest the product may get in transit, e.g. "-150".
    pub max_temperature_c: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stage {
    pub id: String,
    pub title: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    /// The role that performs the step: `operator` or `qc_analyst`.
    pub role: Role,
    /// A second person of the same role must verify the step.
    pub verify: bool,
    /// The step re-confirms the chain of identity identifier.
    pub coi: bool,
    /// The step may be recorded more than once (e.g. one record per in-process count).
    pub repeatable: bool,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QcTest {
    pub id: String,
    pub title: String,
    pub method: String,
    pub spec: QcSpec,
}

/// What a QC result must show, written with `"type"` in the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QcSpec {
    /// A measured value within `min` and/or `max` (at least one of them).
    Range {
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<Decimal>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<Decimal>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// The analyst records pass or fail against the method's own criteria.
    PassFail,
    /// A value is reported without a limit in the template.
    Report {
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    /// The result must read as `expected`, e.g. "no growth".
    ExpectedText { expected: String },
}

impl Template {
    /// Parses and validates a template. Refusals have the code `invalid_template` and a message
    /// that starts with the JSON path of the problem, e.g. `stages[2].steps[0].fields[3].min: ...`.
    pub fn parse(json: &[u8]) -> Result<Template, DomainError> {
        if json.len() > MAX_TEMPLATE_BYTES {
            return Err(DomainError::new(
                "invalid_template",
                "a template may not be larger than 1 MiB",
            ));
        }
        let whole = |error: serde_json::Error| {
            DomainError::new("invalid_template", format!("the template: {error}"))
        };
        let value: serde_json::Value = serde_json::from_slice(json).map_err(whole)?;
        format::require_objects(&value)?;
        let raw: format::RawTemplate =
            serde_path_to_error::deserialize(value).map_err(|error| {
                let path = error.path().to_string();
                if path == "." {
                    return whole(error.into_inner());
                }
                DomainError::new("invalid_template", format!("{path}: {}", error.inner()))
                    .about(path)
            })?;
        validation::validate(raw)
    }

    /// Every step, in process order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.stages.iter().flat_map(|stage| stage.steps.iter())
    }

    /// The step with this id and its position in process order (0 for the first step).
    pub fn step(&self, id: &str) -> Option<(usize, &Step)> {
        self.steps().enumerate().find(|(_, step)| step.id == id)
    }

    /// The stage that holds the step with this id.
    pub fn stage_of(&self, step_id: &str) -> Option<&Stage> {
        self.stages
            .iter()
            .find(|stage| stage.steps.iter().any(|step| step.id == step_id))
    }

    pub fn qc_test(&self, id: &str) -> Option<&QcTest> {
        self.qc_tests.iter().find(|test| test.id == id)
    }
}

impl Step {
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.id == id)
    }
}

impl TryFrom<format::RawTemplate> for Template {
    type Error = DomainError;

    fn try_from(raw: format::RawTemplate) -> Result<Self, DomainError> {
        validation::validate(raw)
    }
}

#[cfg(test)]
mod field_rules_tests;
#[cfg(test)]
mod shipped_tests;
#[cfg(test)]
mod validation_tests;
#[cfg(test)]
mod values_tests;
