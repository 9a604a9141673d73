//! The template as written in JSON, before validation. Unknown keys are refused, so that a
//! misspelt `"requred": true` cannot silently make a field optional. Values whose meaning
//! depends on another key (a field's `min` is a decimal string or an integer depending on its
//! `type`) are taken as raw JSON here and checked in `validation`.

use serde::Deserialize;
use serde_json::Value;

use super::FieldType;
use crate::domain::DomainError;

/// serde also reads a struct from a JSON array of its values in order (and a tagged enum from
/// an array starting with its tag). The format has objects only, and a template written
/// positionally would be unreadable to a reviewer, so arrays in place of objects are refused
/// before serde sees them.
pub fn require_objects(root: &Value) -> Result<(), DomainError> {
    fn object(path: &str, value: &Value) -> Result<(), DomainError> {
        match value {
            Value::Object(_) => Ok(()),
            _ => Err(DomainError::new(
                "invalid_template",
                format!("{path}: expected a JSON object"),
            )
            .about(path)),
        }
    }
    fn children<'a>(parent: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
        parent
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
    }
    object("the template", root)?;
    for (s, stage) in children(root, "stages") {
        object(&format!("stages[{s}]"), stage)?;
        for (t, step) in children(stage, "steps") {
            object(&format!("stages[{s}].steps[{t}]"), step)?;
            for (f, field) in children(step, "fields") {
                object(&format!("stages[{s}].steps[{t}].fields[{f}]"), field)?;
            }
        }
    }
    for (q, test) in children(root, "qc_tests") {
        object(&format!("qc_tests[{q}]"), test)?;
        if let Some(spec) = test.get("spec") {
            object(&format!("qc_tests[{q}].spec"), spec)?;
        }
    }
    if let Some(shipping) = root.get("shipping") {
        object("shipping", shipping)?;
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    pub code: String,
    pub version: u32,
    pub title: String,
    pub stages: Vec<RawStage>,
    pub qc_tests: Vec<RawQcTest>,
    pub shipping: Option<RawShipping>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawShipping {
    pub max_temperature_c: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub id: String,
    pub title: String,
    pub steps: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: String,
    pub title: String,
    pub role: String,
    pub verify: bool,
    pub coi: bool,
    pub repeatable: bool,
    pub fields: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawField {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub unit: Option<String>,
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub required: bool,
    pub choices: Option<Vec<String>>,
    pub material: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQcTest {
    pub id: String,
    pub title: String,
    pub method: String,
    pub spec: RawQcSpec,
}

/// Struct variants throughout, even when empty, so that unknown keys are refused on every kind
/// of specification (`{"type": "pass_fail", "max": "5"}` is a mistake, not a pass/fail test).
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawQcSpec {
    /// Limits as raw JSON: serde loses the path inside an internally tagged enum, so a limit
    /// written as a JSON number is explained in `validation` instead.
    Range {
        min: Option<Value>,
        max: Option<Value>,
        unit: Option<String>,
    },
    PassFail {},
    Report {
        unit: Option<String>,
    },
    ExpectedText {
        expected: String,
    },
}
