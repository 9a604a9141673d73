//! A step's form, generated from its template: one input per field, with its unit and
//! acceptance range beside it, pickers that offer only usable lots and equipment, and what
//! was typed kept on every error. Typed text becomes the values the API takes; whether the
//! values are acceptable is the domain's decision, not this file's.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use serde_json::{Map, Value};

use super::Input;
use crate::domain::material::LotUse;
use crate::domain::template::{Field, FieldType, Step};
use crate::services::projections::materials::{EquipmentRow, LotRow};
use crate::web::i18n::Tr;

/// The form's field name for a template field.
pub fn input_name(field_id: &str) -> String {
    format!("f.{field_id}")
}

/// The lots and equipment a step may use today.
#[derive(Default)]
pub struct Pickers {
    pub lots: Vec<LotRow>,
    pub equipment: Vec<EquipmentRow>,
}

impl Pickers {
    /// Only released lots within their expiry, and equipment within its calibration: what
    /// the domain would refuse is not offered (the domain still checks it at recording).
    pub fn usable(lots: Vec<LotRow>, equipment: Vec<EquipmentRow>, today: NaiveDate) -> Pickers {
        let day = today.to_string();
        Pickers {
            lots: lots
                .into_iter()
                .filter(|lot| lot.lot_use(today) == LotUse::Usable)
                .collect(),
            equipment: equipment
                .into_iter()
                .filter(|e| e.calibration_due.as_str() >= day.as_str())
                .collect(),
        }
    }

    fn options(&self, field: &Field) -> Vec<(String, String)> {
        match field.kind {
            FieldType::MaterialLot => self
                .lots
                .iter()
                .filter(|lot| field.material.as_deref().is_none_or(|m| m == lot.material))
                .map(|lot| {
                    let label = format!(
                        "{} · {} {} · {}",
                        lot.lot_id, lot.supplier, lot.lot_number, lot.expiry
                    );
                    (lot.lot_id.clone(), label)
                })
                .collect(),
            FieldType::Equipment => self
                .equipment
                .iter()
                .map(|e| {
                    let label = format!("{} · {}", e.equipment_id, e.equipment_kind);
                    (e.equipment_id.clone(), label)
                })
                .collect(),
            _ => vec![],
        }
    }
}

/// The inputs of `step`'s fields: each carries its field's id, which is what a refusal names.
pub fn inputs(
    step: &Step,
    typed: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    pickers: &Pickers,
    tr: Tr,
) -> Vec<Input> {
    step.fields
        .iter()
        .map(|field| {
            let options = match field.kind {
                FieldType::Choice => field
                    .choices
                    .iter()
                    .map(|c| (c.clone(), c.clone()))
                    .collect(),
                FieldType::Boolean => vec![
                    ("true".to_owned(), tr.t("yes")),
                    ("false".to_owned(), tr.t("no")),
                ],
                _ => pickers.options(field),
            };
            let input = Input {
                carries: field.id.clone(),
                range: range(field, tr),
                required: field.required,
                error: errors.get(&field.id).cloned(),
                ..Input::new(
                    input_name(&field.id),
                    field.label.clone(),
                    widget(field.kind),
                )
            };
            input
                .unit(field.unit.clone())
                .options(options)
                .value(typed.get(&field.id).cloned().unwrap_or_default())
        })
        .collect()
}

fn widget(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Number => "decimal",
        FieldType::Integer => "integer",
        FieldType::Text => "text",
        FieldType::Choice => "choice",
        FieldType::Boolean => "boolean",
        FieldType::Datetime => "datetime",
        FieldType::MaterialLot | FieldType::Equipment => "picker",
        FieldType::Attachment => "attachment",
    }
}

fn range(field: &Field, tr: Tr) -> Option<String> {
    let limit = |l: &crate::domain::template::Limit| tr.decimal(&l.to_string());
    match (&field.min, &field.max) {
        (Some(min), Some(max)) => Some(format!("{} – {}", limit(min), limit(max))),
        (Some(min), None) => Some(format!("≥ {}", limit(min))),
        (None, Some(max)) => Some(format!("≤ {}", limit(max))),
        (None, None) => None,
    }
}

/// The typed text of each field of `step`, by field id, from a submitted form.
pub fn typed_values(step: &Step, form: &[(String, String)]) -> BTreeMap<String, String> {
    step.fields
        .iter()
        .filter_map(|field| {
            let name = input_name(&field.id);
            form.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (field.id.clone(), value.clone()))
        })
        .collect()
}

/// The values the API would take for what was typed: decimals with a point, whole numbers
/// as JSON integers, dates and times in RFC 3339 with the site's offset at that moment. An
/// empty field is left out (the domain refuses it when it is required). Errors are by field.
pub fn to_values(
    step: &Step,
    typed: &BTreeMap<String, String>,
    tr: Tr,
    zone: chrono_tz::Tz,
) -> Result<Map<String, Value>, BTreeMap<String, String>> {
    let mut values = Map::new();
    let mut errors = BTreeMap::new();
    for field in &step.fields {
        let Some(text) = typed
            .get(&field.id)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        match convert(field.kind, text, tr, zone) {
            Ok(value) => {
                values.insert(field.id.clone(), value);
            }
            Err(message_id) => {
                errors.insert(field.id.clone(), tr.t(message_id));
            }
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

fn convert(
    kind: FieldType,
    text: &str,
    tr: Tr,
    zone: chrono_tz::Tz,
) -> Result<Value, &'static str> {
    Ok(match kind {
        FieldType::Number => Value::String(tr.parse_decimal(text)),
        FieldType::Integer => Value::from(text.parse::<i64>().map_err(|_| "form-whole-number")?),
        FieldType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err("form-yes-or-no"),
        },
        FieldType::Datetime => Value::String(local_to_rfc3339(text, zone).ok_or("form-datetime")?),
        _ => Value::String(text.to_owned()),
    })
}

/// What the domain's own field rules say of each value before the signature dialog opens (a
/// required field left empty, a value of the wrong form), so that nobody is asked to sign
/// what would be refused. Recording checks everything again.
pub fn field_refusals(
    step: &Step,
    values: &Map<String, Value>,
    tr: Tr,
) -> BTreeMap<String, String> {
    step.fields
        .iter()
        .filter_map(|field| {
            let refusal = field.read_optional(values.get(&field.id)).err()?;
            Some((field.id.clone(), tr.refusal(refusal.code)))
        })
        .collect()
}

/// `2026-11-25T14:30` as the browser's date-time input sends it, in the site's time zone.
/// A time that does not exist (skipped by a DST change) is refused; an ambiguous one (the
/// repeated hour) takes the earlier of its two offsets.
pub fn local_to_rfc3339(text: &str, zone: chrono_tz::Tz) -> Option<String> {
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let at = zone.from_local_datetime(&local).earliest()?;
    Some(at.to_rfc3339())
}

/// An RFC 3339 value shown in the site's time zone in this language's form.
pub fn show_datetime(value: &str, zone: chrono_tz::Tz, tr: Tr) -> String {
    match chrono::DateTime::parse_from_rfc3339(value) {
        Ok(at) => at
            .with_timezone(&zone)
            .format(tr.datetime_pattern())
            .to_string(),
        Err(_) => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_take_the_site_offset_of_that_day() {
        let rome = chrono_tz::Europe::Rome;
        assert_eq!(
            local_to_rfc3339("2026-01-15T08:15", rome).as_deref(),
            Some("2026-01-15T08:15:00+01:00")
        );
        assert_eq!(
            local_to_rfc3339("2026-07-15T08:15", rome).as_deref(),
            Some("2026-07-15T08:15:00+02:00")
        );
        // 02:30 on the last Sunday of March does not exist in Rome.
        assert_eq!(local_to_rfc3339("2026-03-29T02:30", rome), None);
        assert_eq!(local_to_rfc3339("yesterday", rome), None);
    }
}
