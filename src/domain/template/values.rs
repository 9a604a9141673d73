//! Fields of a step and the values recorded in them. A value is checked against its field's type
//! when it is submitted and then kept as entered; whether it lies within the acceptance range is
//! a separate question, because an out-of-range value is still what was observed: it is recorded
//! and raises a deviation rather than being refused.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::quantity::Decimal;
use crate::domain::text::printable_line;
use crate::domain::DomainError;

/// Integers beyond ±(2^53 − 1) do not survive a round trip through JavaScript or any JSON
/// reader that uses doubles.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
const MAX_TEXT_CHARS: usize = 2000;
const MAX_REFERENCE_CHARS: usize = 64;

/// The type of a field, written as `"type"` in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Number,
    Integer,
    Text,
    Choice,
    Boolean,
    Datetime,
    MaterialLot,
    Equipment,
    Attachment,
}

impl FieldType {
    pub const ALL: [FieldType; 9] = [
        FieldType::Number,
        FieldType::Integer,
        FieldType::Text,
        FieldType::Choice,
        FieldType::Boolean,
        FieldType::Datetime,
        FieldType::MaterialLot,
        FieldType::Equipment,
        FieldType::Attachment,
    ];

    /// The name a template writes in `"type"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Number => "number",
            FieldType::Integer => "integer",
            FieldType::Text => "text",
            FieldType::Choice => "choice",
            FieldType::Boolean => "boolean",
            FieldType::Datetime => "datetime",
            FieldType::MaterialLot => "material_lot",
            FieldType::Equipment => "equipment",
            FieldType::Attachment => "attachment",
        }
    }

    pub fn parse(name: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Types that may carry a unit and an acceptance range.
    pub fn is_numeric(self) -> bool {
        matches!(self, FieldType::Number | FieldType::Integer)
    }
}

/// An acceptance limit: a decimal string on a `number` field, a JSON integer on an `integer`
/// field, serialized back the way it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Limit {
    Decimal(Decimal),
    Integer(i64),
}

impl Limit {
    pub fn as_decimal(&self) -> Decimal {
        match self {
            Limit::Decimal(decimal) => decimal.clone(),
            Limit::Integer(integer) => Decimal::from_integer(*integer),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Decimal(decimal) => f.write_str(decimal.as_str()),
            Limit::Integer(integer) => write!(f, "{integer}"),
        }
    }
}

/// One field of a step, as validated from the template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Limit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Limit>,
    pub required: bool,
    /// The allowed answers of a `choice` field; empty for every other type.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// On a `material_lot` field, the material that the lot must be registered for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
}

/// A value recorded in a field, kept as entered.
///
/// Serialized with its type, so that it reads back as the same value without the template:
/// `{"type": "number", "value": "1.25e8"}`, `{"type": "integer", "value": 4}`,
/// `{"type": "text", "value": "..."}`, `{"type": "choice", "value": "intact"}`,
/// `{"type": "boolean", "value": true}`, `{"type": "datetime", "value": "2026-03-02T08:15:00+01:00"}`,
/// `{"type": "material_lot", "value": "LOT-123"}`, `{"type": "equipment", "value": "PRODIGY-02"}`,
/// `{"type": "attachment", "value": "<64 lowercase hex digits>"}`.
/// [`FieldValue::as_json`] gives the bare value instead, as a client submits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    Number(Decimal),
    Integer(i64),
    Text(String),
    Choice(String),
    Boolean(bool),
    /// RFC 3339 with an offset, as given: when it happened, in the time zone it was observed in.
    Datetime(String),
    MaterialLot(String),
    Equipment(String),
    /// The SHA-256 of the uploaded file, 64 lowercase hex digits.
    Attachment(String),
}

impl FieldValue {
    pub fn kind(&self) -> FieldType {
        match self {
            FieldValue::Number(_) => FieldType::Number,
            FieldValue::Integer(_) => FieldType::Integer,
            FieldValue::Text(_) => FieldType::Text,
            FieldValue::Choice(_) => FieldType::Choice,
            FieldValue::Boolean(_) => FieldType::Boolean,
            FieldValue::Datetime(_) => FieldType::Datetime,
            FieldValue::MaterialLot(_) => FieldType::MaterialLot,
            FieldValue::Equipment(_) => FieldType::Equipment,
            FieldValue::Attachment(_) => FieldType::Attachment,
        }
    }

    /// The bare value as a client submits it (a number as its decimal string, an integer as a
    /// JSON integer, a boolean as a JSON boolean, everything else as a string), which
    /// [`Field::read`] accepts back unchanged.
    pub fn as_json(&self) -> Value {
        match self {
            FieldValue::Number(decimal) => Value::String(decimal.as_str().to_owned()),
            FieldValue::Integer(integer) => Value::from(*integer),
            FieldValue::Boolean(boolean) => Value::Bool(*boolean),
            FieldValue::Text(text)
            | FieldValue::Choice(text)
            | FieldValue::Datetime(text)
            | FieldValue::MaterialLot(text)
            | FieldValue::Equipment(text)
            | FieldValue::Attachment(text) => Value::String(text.clone()),
        }
    }

    /// The lot id, for the caller to check that the lot is registered for the field's material
    /// and not expired.
    pub fn material_lot(&self) -> Option<&str> {
        match self {
            FieldValue::MaterialLot(lot) => Some(lot),
            _ => None,
        }
    }

    /// The equipment id, for the caller to check that it is registered and in calibration.
    pub fn equipment(&self) -> Option<&str> {
        match self {
            FieldValue::Equipment(id) => Some(id),
            _ => None,
        }
    }

    /// The file's SHA-256, for the caller to check that the file was uploaded.
    pub fn attachment(&self) -> Option<&str> {
        match self {
            FieldValue::Attachment(hash) => Some(hash),
            _ => None,
        }
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Number(decimal) => f.write_str(decimal.as_str()),
            FieldValue::Integer(integer) => write!(f, "{integer}"),
            FieldValue::Boolean(true) => f.write_str("yes"),
            FieldValue::Boolean(false) => f.write_str("no"),
            FieldValue::Text(text)
            | FieldValue::Choice(text)
            | FieldValue::Datetime(text)
            | FieldValue::MaterialLot(text)
            | FieldValue::Equipment(text)
            | FieldValue::Attachment(text) => f.write_str(text),
        }
    }
}

/// A recorded value outside its field's acceptance range: the value is kept, and the caller
/// raises a deviation that shows the range and the value as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeBreach {
    pub min: Option<String>,
    pub max: Option<String>,
    pub value: String,
    pub unit: Option<String>,
}

impl Field {
    /// Checks a submitted value against the field's type and keeps it as entered. Refused with
    /// `invalid_value` and a message naming the field; the range is not checked here (see
    /// [`Field::out_of_range`]).
    pub fn read(&self, value: &Value) -> Result<FieldValue, DomainError> {
        self.parse(value).map_err(|e| e.about(&self.id))
    }

    fn parse(&self, value: &Value) -> Result<FieldValue, DomainError> {
        let refuse = |problem: &str| {
            DomainError::new("invalid_value", format!("field '{}': {problem}", self.id))
        };
        match self.kind {
            FieldType::Number => read_number(value).map_err(|p| refuse(&p)),
            FieldType::Integer => read_integer(value).map(FieldValue::Integer).map_err(refuse),
            FieldType::Text => {
                let text = value
                    .as_str()
                    .ok_or_else(|| refuse("send the text as a string"))?;
                printable_line(
                    text,
                    "invalid_value",
                    &format!("field '{}'", self.id),
                    1..=MAX_TEXT_CHARS,
                )
                .map(FieldValue::Text)
            }
            FieldType::Choice => match value.as_str() {
                Some(choice) if self.choices.iter().any(|c| c == choice) => {
                    Ok(FieldValue::Choice(choice.to_owned()))
                }
                _ => Err(refuse(&format!(
                    "choose one of: {}",
                    self.choices.join(", ")
                ))),
            },
            FieldType::Boolean => value
                .as_bool()
                .map(FieldValue::Boolean)
                .ok_or_else(|| refuse("send true or false")),
            FieldType::Datetime => read_datetime(value)
                .map(FieldValue::Datetime)
                .map_err(refuse),
            FieldType::MaterialLot => read_reference(value, "lot")
                .map(FieldValue::MaterialLot)
                .map_err(|p| refuse(&p)),
            FieldType::Equipment => read_reference(value, "equipment")
                .map(FieldValue::Equipment)
                .map_err(|p| refuse(&p)),
            FieldType::Attachment => read_sha256(value)
                .map(FieldValue::Attachment)
                .map_err(refuse),
        }
    }

    /// Reads a field that may be missing from a submission: `None` or JSON `null` is accepted
    /// as "not recorded" unless the field is required (`missing_value`).
    pub fn read_optional(&self, value: Option<&Value>) -> Result<Option<FieldValue>, DomainError> {
        match value {
            None | Some(Value::Null) if self.required => Err(DomainError::new(
                "missing_value",
                format!("field '{}' is required", self.id),
            )
            .about(&self.id)),
            None | Some(Value::Null) => Ok(None),
            Some(value) => self.read(value).map(Some),
        }
    }

    /// The breach of this field's acceptance range by `value`, if any. Values of another type
    /// than the field's, and fields without a range, never breach.
    pub fn out_of_range(&self, value: &FieldValue) -> Option<RangeBreach> {
        let observed = match value {
            FieldValue::Number(decimal) if self.kind == FieldType::Number => decimal.clone(),
            FieldValue::Integer(integer) if self.kind == FieldType::Integer => {
                Decimal::from_integer(*integer)
            }
            _ => return None,
        };
        let below = self
            .min
            .as_ref()
            .is_some_and(|min| observed < min.as_decimal());
        let above = self
            .max
            .as_ref()
            .is_some_and(|max| observed > max.as_decimal());
        (below || above).then(|| RangeBreach {
            min: self.min.as_ref().map(Limit::to_string),
            max: self.max.as_ref().map(Limit::to_string),
            value: value.to_string(),
            unit: self.unit.clone(),
        })
    }
}

fn read_number(value: &Value) -> Result<FieldValue, String> {
    match value {
        Value::String(text) => Decimal::parse(text)
            .map(FieldValue::Number)
            .map_err(|error| error.message),
        Value::Number(_) => Err("send decimal numbers as JSON strings, e.g. \"70.5\" or \
                                 \"1.25e8\", so that no floating-point rounding happens"
            .to_owned()),
        _ => Err("send a decimal number as a string, e.g. \"70.5\"".to_owned()),
    }
}

fn read_integer(value: &Value) -> Result<i64, &'static str> {
    let integer = match value {
        Value::Number(number) => number.as_i64(),
        // Only plain digits with an optional '-': no '+', spaces, exponents or decimal points.
        Value::String(text)
            if text
                .strip_prefix('-')
                .unwrap_or(text)
                .bytes()
                .all(|b| b.is_ascii_digit()) =>
        {
            text.parse::<i64>().ok()
        }
        _ => None,
    };
    integer
        .filter(|integer| integer.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs())
        .ok_or("send a whole number between -9007199254740991 and 9007199254740991")
}

fn read_datetime(value: &Value) -> Result<String, &'static str> {
    let problem = "send the date and time in RFC 3339 with its UTC offset, e.g. \
                   2026-03-02T08:15:00+01:00";
    let text = value.as_str().ok_or(problem)?;
    if text.len() > 40 || chrono::DateTime::parse_from_rfc3339(text).is_err() {
        return Err(problem);
    }
    Ok(text.to_owned())
}

fn read_reference(value: &Value, what: &str) -> Result<String, String> {
    let valid = |id: &str| {
        (1..=MAX_REFERENCE_CHARS).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    match value.as_str() {
        Some(id) if valid(id) => Ok(id.to_owned()),
        _ => Err(format!(
            "send the {what} id as a string of 1 to 64 letters, digits, '.', '_' or '-'"
        )),
    }
}

fn read_sha256(value: &Value) -> Result<String, &'static str> {
    match value.as_str() {
        Some(hash)
            if hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(hash.to_owned())
        }
        _ => Err("send the SHA-256 of the uploaded file as 64 lowercase hex digits"),
    }
}
