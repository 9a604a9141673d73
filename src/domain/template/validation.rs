//! The rules a template must meet beyond its JSON shape. Every refusal names the JSON path of
//! the offending value, because the person reading it is editing a file of a few hundred lines.

use std::collections::HashSet;

use serde_json::Value;

use super::format::{RawField, RawQcSpec, RawQcTest, RawStage, RawStep, RawTemplate};
use super::values::{Field, FieldType, Limit, MAX_SAFE_INTEGER};
use super::{QcSpec, QcTest, Shipping, Stage, Step, Template};
use crate::domain::quantity::Decimal;
use crate::domain::text::printable_line;
use crate::domain::{DomainError, Role};

const MAX_ID_CHARS: usize = 64;
const MAX_TITLE_CHARS: usize = 200;
const MAX_UNIT_CHARS: usize = 32;

type Checked<T> = Result<T, DomainError>;

/// A refusal of the template at `path` (e.g. `steps[2].fields[0].min`), which it is about.
fn refuse(path: &str, problem: impl std::fmt::Display) -> DomainError {
    DomainError::new("invalid_template", format!("{path}: {problem}")).about(path)
}

pub fn validate(raw: RawTemplate) -> Checked<Template> {
    let code = template_code(&raw.code)?;
    if raw.version == 0 {
        return Err(refuse("version", "the version must be a positive integer"));
    }
    let title = line("title", &raw.title, MAX_TITLE_CHARS)?;
    if raw.stages.is_empty() {
        return Err(refuse("stages", "a template needs at least one stage"));
    }
    let mut stage_ids = Unique::default();
    let mut step_ids = Unique::default();
    let stages = enumerate_map(raw.stages, |at, raw| {
        let path = format!("stages[{at}]");
        stage_ids.insert(&format!("{path}.id"), &raw.id, "stage")?;
        stage(&path, raw, &mut step_ids)
    })?;
    if raw.qc_tests.is_empty() {
        return Err(refuse(
            "qc_tests",
            "a template needs at least one QC release test",
        ));
    }
    let mut test_ids = Unique::default();
    let qc_tests = enumerate_map(raw.qc_tests, |at, raw| {
        let path = format!("qc_tests[{at}]");
        test_ids.insert(&format!("{path}.id"), &raw.id, "QC test")?;
        qc_test(&path, raw)
    })?;
    let shipping = match raw.shipping {
        Some(raw) => Some(Shipping {
            max_temperature_c: decimal_string(
                "shipping.max_temperature_c",
                &raw.max_temperature_c,
            )?,
        }),
        None => None,
    };
    Ok(Template {
        code,
        version: raw.version,
        title,
        stages,
        qc_tests,
        shipping,
    })
}

fn stage(path: &str, raw: RawStage, step_ids: &mut Unique) -> Checked<Stage> {
    let title = line(&format!("{path}.title"), &raw.title, MAX_TITLE_CHARS)?;
    if raw.steps.is_empty() {
        return Err(refuse(
            &format!("{path}.steps"),
            "a stage needs at least one step",
        ));
    }
    let steps = enumerate_map(raw.steps, |at, raw| {
        let path = format!("{path}.steps[{at}]");
        step_ids.insert(&format!("{path}.id"), &raw.id, "step")?;
        step(&path, raw)
    })?;
    Ok(Stage {
        id: raw.id,
        title,
        steps,
    })
}

/// Step ids the batch record itself uses for what follows manufacturing.
const RESERVED_STEP_IDS: [&str; 1] = [super::BEDSIDE_CHECK];

fn step(path: &str, raw: RawStep) -> Checked<Step> {
    if RESERVED_STEP_IDS.contains(&raw.id.as_str()) {
        return Err(refuse(
            &format!("{path}.id"),
            format!("'{}' is reserved for the bedside identity check", raw.id),
        ));
    }
    let title = line(&format!("{path}.title"), &raw.title, MAX_TITLE_CHARS)?;
    let role = match raw.role.parse::<Role>() {
        Ok(role @ (Role::Operator | Role::QcAnalyst)) => role,
        _ => {
            return Err(refuse(
                &format!("{path}.role"),
                format!(
                    "'{}' cannot perform a step: use operator or qc_analyst",
                    raw.role
                ),
            ))
        }
    };
    if raw.fields.is_empty() {
        return Err(refuse(
            &format!("{path}.fields"),
            "a step needs at least one field",
        ));
    }
    let mut field_ids = Unique::default();
    let fields = enumerate_map(raw.fields, |at, raw| {
        let path = format!("{path}.fields[{at}]");
        field_ids.insert(&format!("{path}.id"), &raw.id, "field")?;
        field(&path, raw)
    })?;
    Ok(Step {
        id: raw.id,
        title,
        role,
        verify: raw.verify,
        coi: raw.coi,
        repeatable: raw.repeatable,
        fields,
    })
}

fn field(path: &str, raw: RawField) -> Checked<Field> {
    let label = line(&format!("{path}.label"), &raw.label, MAX_TITLE_CHARS)?;
    let kind = raw.kind;
    let numeric = kind.is_numeric();
    for (key, present, allowed, types) in [
        ("unit", raw.unit.is_some(), numeric, "number and integer"),
        ("min", raw.min.is_some(), numeric, "number and integer"),
        ("max", raw.max.is_some(), numeric, "number and integer"),
        (
            "choices",
            raw.choices.is_some(),
            kind == FieldType::Choice,
            "choice",
        ),
        (
            "material",
            raw.material.is_some(),
            kind == FieldType::MaterialLot,
            "material_lot",
        ),
    ] {
        if present && !allowed {
            return Err(refuse(
                &format!("{path}.{key}"),
                format!("'{key}' is allowed only on {types} fields"),
            ));
        }
    }
    let unit = optional_line(&format!("{path}.unit"), raw.unit.as_deref(), MAX_UNIT_CHARS)?;
    let min = raw
        .min
        .map(|min| limit(&format!("{path}.min"), kind, &min))
        .transpose()?;
    let max = raw
        .max
        .map(|max| limit(&format!("{path}.max"), kind, &max))
        .transpose()?;
    if let (Some(min), Some(max)) = (&min, &max) {
        if min.as_decimal() > max.as_decimal() {
            return Err(refuse(
                &format!("{path}.min"),
                format!("min {min} is greater than max {max}"),
            ));
        }
    }
    let choices = match (kind, raw.choices) {
        (FieldType::Choice, Some(choices)) => choice_list(&format!("{path}.choices"), choices)?,
        (FieldType::Choice, None) => {
            return Err(refuse(
                &format!("{path}.choices"),
                "a choice field needs its list of choices",
            ))
        }
        _ => Vec::new(),
    };
    let material = match (kind, raw.material) {
        (FieldType::MaterialLot, Some(material)) => Some(identifier(
            &format!("{path}.material"),
            &material,
            "a material",
        )?),
        (FieldType::MaterialLot, None) => {
            return Err(refuse(
                &format!("{path}.material"),
                "a material_lot field needs the material its lots are registered for",
            ))
        }
        _ => None,
    };
    Ok(Field {
        id: raw.id,
        label,
        kind,
        unit,
        min,
        max,
        required: raw.required,
        choices,
        material,
    })
}

/// A number field's limits are decimal strings (compared exactly); an integer field's are
/// JSON integers.
fn limit(path: &str, kind: FieldType, raw: &Value) -> Checked<Limit> {
    match (kind, raw) {
        (FieldType::Number, _) => decimal_string(path, raw).map(Limit::Decimal),
        (_, Value::Number(number)) => number
            .as_i64()
            .filter(|integer| integer.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs())
            .map(Limit::Integer)
            .ok_or_else(|| {
                refuse(
                    path,
                    "the limit of an integer field must be a whole number within ±(2^53 − 1)",
                )
            }),
        _ => Err(refuse(
            path,
            "write the limit of an integer field as a JSON integer, e.g. 3",
        )),
    }
}

fn decimal_string(path: &str, raw: &Value) -> Checked<Decimal> {
    match raw {
        Value::String(text) => Decimal::parse(text).map_err(|error| refuse(path, error.message)),
        _ => Err(refuse(
            path,
            "write the limit as a decimal string, e.g. \"70\" or \"1.25e8\", so that it is compared exactly",
        )),
    }
}

fn choice_list(path: &str, raw: Vec<String>) -> Checked<Vec<String>> {
    if raw.is_empty() {
        return Err(refuse(path, "a choice field needs at least one choice"));
    }
    let mut seen = Unique::default();
    enumerate_map(raw, |at, choice| {
        let at = format!("{path}[{at}]");
        let choice = line(&at, &choice, MAX_TITLE_CHARS)?;
        seen.insert_text(&at, &choice, "choice")?;
        Ok(choice)
    })
}

fn qc_test(path: &str, raw: RawQcTest) -> Checked<QcTest> {
    let title = line(&format!("{path}.title"), &raw.title, MAX_TITLE_CHARS)?;
    let method = line(&format!("{path}.method"), &raw.method, MAX_TITLE_CHARS)?;
    let spec_path = format!("{path}.spec");
    let unit = |unit: Option<String>| {
        optional_line(
            &format!("{spec_path}.unit"),
            unit.as_deref(),
            MAX_UNIT_CHARS,
        )
    };
    let spec = match raw.spec {
        RawQcSpec::Range {
            min,
            max,
            unit: raw_unit,
        } => {
            let decimal = |key: &str, raw: Option<Value>| {
                raw.map(|raw| decimal_string(&format!("{spec_path}.{key}"), &raw))
                    .transpose()
            };
            let (min, max) = (decimal("min", min)?, decimal("max", max)?);
            match (&min, &max) {
                (None, None) => {
                    return Err(refuse(&spec_path, "a range needs a min, a max or both"))
                }
                (Some(low), Some(high)) if low > high => {
                    return Err(refuse(
                        &format!("{spec_path}.min"),
                        format!("min {low} is greater than max {high}"),
                    ))
                }
                _ => {}
            }
            QcSpec::Range {
                min,
                max,
                unit: unit(raw_unit)?,
            }
        }
        RawQcSpec::PassFail {} => QcSpec::PassFail,
        RawQcSpec::Report { unit: raw_unit } => QcSpec::Report {
            unit: unit(raw_unit)?,
        },
        RawQcSpec::ExpectedText { expected } => QcSpec::ExpectedText {
            expected: line(&format!("{spec_path}.expected"), &expected, MAX_TITLE_CHARS)?,
        },
    };
    Ok(QcTest {
        id: raw.id,
        title,
        method,
        spec,
    })
}

/// Lowercase letters, digits and single hyphens inside, 2 to 40 characters: it appears in URLs
/// and batch records.
fn template_code(raw: &str) -> Checked<String> {
    let bytes = raw.as_bytes();
    let valid = (2..=40).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
        && !raw.contains("--");
    if !valid {
        return Err(refuse(
            "code",
            "a template code has 2 to 40 lowercase letters, digits and single '-' inside, e.g. cd19-car-t-lv",
        ));
    }
    Ok(raw.to_owned())
}

/// Lowercase snake_case, starting with a letter: ids are referred to by API clients and events
/// for as long as the records are kept, so they must be unambiguous to read and type.
fn identifier(path: &str, raw: &str, what: &str) -> Checked<String> {
    let valid = (1..=MAX_ID_CHARS).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw.split('_').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !valid {
        return Err(refuse(
            path,
            format!("'{raw}' is not valid as {what}: use 1 to 64 lowercase letters and digits in snake_case, starting with a letter"),
        ));
    }
    Ok(raw.to_owned())
}

fn line(path: &str, raw: &str, max: usize) -> Checked<String> {
    printable_line(raw, "invalid_template", "the text", 1..=max)
        .map_err(|error| refuse(path, error.message))
}

fn optional_line(path: &str, raw: Option<&str>, max: usize) -> Checked<Option<String>> {
    raw.map(|raw| line(path, raw, max)).transpose()
}

/// Ids already used in one scope (the template's steps, a step's fields, ...).
#[derive(Default)]
struct Unique(HashSet<String>);

impl Unique {
    /// Checks that `raw` is a well-formed id not used before in this scope.
    fn insert(&mut self, path: &str, raw: &str, what: &str) -> Checked<()> {
        identifier(path, raw, &format!("a {what} id"))?;
        self.insert_text(path, raw, what)
    }

    fn insert_text(&mut self, path: &str, raw: &str, what: &str) -> Checked<()> {
        if !self.0.insert(raw.to_owned()) {
            return Err(refuse(path, format!("the {what} '{raw}' is used twice")));
        }
        Ok(())
    }
}

fn enumerate_map<T, U>(
    items: Vec<T>,
    mut convert: impl FnMut(usize, T) -> Checked<U>,
) -> Checked<Vec<U>> {
    items
        .into_iter()
        .enumerate()
        .map(|(at, item)| convert(at, item))
        .collect()
}
