//! The rules on fields and QC specifications, on the minimal template of `validation_tests`.

use serde_json::{json, Value};

use super::validation_tests::{field, minimal, parse, refused, remove, step};
use super::*;

/// Covers: GMP-TPL-3
#[test]
fn limits_are_typed_by_the_field_and_ordered() {
    let at = "stages[0].steps[0].fields[0]";
    refused(
        |t| field(t, 0)["min"] = json!(70),
        &format!("{at}.min"),
        "decimal string",
    );
    refused(
        |t| field(t, 0)["max"] = json!("1,5"),
        &format!("{at}.max"),
        "not a decimal number",
    );
    refused(
        |t| field(t, 0)["min"] = json!("100.1"),
        &format!("{at}.min"),
        "greater than max 100",
    );
    let at = "stages[0].steps[0].fields[1]";
    refused(
        |t| field(t, 1)["min"] = json!("1"),
        &format!("{at}.min"),
        "JSON integer",
    );
    refused(
        |t| field(t, 1)["max"] = json!(1.5),
        &format!("{at}.max"),
        "whole number",
    );
    refused(
        |t| field(t, 1)["max"] = json!(1_u64 << 53),
        &format!("{at}.max"),
        "whole number",
    );
    refused(
        |t| field(t, 1)["min"] = json!(5),
        &format!("{at}.min"),
        "greater than max 4",
    );
    // Equal limits are a single accepted value.
    let mut equal = minimal();
    field(&mut equal, 0)["min"] = json!("1e2");
    assert!(parse(&equal).is_ok());
}

/// Covers: GMP-TPL-3
#[test]
fn keys_belong_to_their_field_types() {
    let at = "stages[0].steps[0].fields[2]";
    refused(
        |t| field(t, 2)["unit"] = json!("%"),
        &format!("{at}.unit"),
        "only on number and integer",
    );
    refused(
        |t| field(t, 2)["min"] = json!("1"),
        &format!("{at}.min"),
        "only on number and integer",
    );
    refused(
        |t| field(t, 2)["max"] = json!("1"),
        &format!("{at}.max"),
        "only on number and integer",
    );
    refused(
        |t| field(t, 0)["choices"] = json!(["a"]),
        "stages[0].steps[0].fields[0].choices",
        "only on choice",
    );
    refused(
        |t| field(t, 0)["material"] = json!("cytokine"),
        "stages[0].steps[0].fields[0].material",
        "only on material_lot",
    );
    refused(
        |t| field(t, 0)["unit"] = json!(""),
        "stages[0].steps[0].fields[0].unit",
        "1 to 32",
    );
}

/// Covers: GMP-TPL-3
#[test]
fn choice_fields_need_distinct_choices() {
    let at = "stages[0].steps[0].fields[2].choices";
    refused(|t| remove(field(t, 2), "choices"), at, "needs its list");
    refused(
        |t| field(t, 2)["choices"] = json!([]),
        at,
        "at least one choice",
    );
    refused(
        |t| field(t, 2)["choices"] = json!(["intact", "intact "]),
        &format!("{at}[1]"),
        "used twice",
    );
    refused(
        |t| field(t, 2)["choices"] = json!(["intact", ""]),
        &format!("{at}[1]"),
        "1 to 200",
    );
}

/// Covers: GMP-TPL-3
#[test]
fn material_lot_fields_name_their_material() {
    let at = "stages[0].steps[0].fields[3].material";
    refused(
        |t| remove(field(t, 3), "material"),
        at,
        "needs the material",
    );
    refused(
        |t| field(t, 3)["material"] = json!("Culture Medium"),
        at,
        "snake_case",
    );
}

/// Covers: GMP-TPL-3
#[test]
fn labels_and_titles_are_printable_lines() {
    refused(
        |t| field(t, 0)["label"] = json!("Via\nbility"),
        "stages[0].steps[0].fields[0].label",
        "U+000A",
    );
    refused(
        |t| step(t)["title"] = json!(""),
        "stages[0].steps[0].title",
        "1 to 200",
    );
    refused(
        |t| t["stages"][0]["title"] = json!("x".repeat(201)),
        "stages[0].title",
        "1 to 200",
    );
    let mut padded = minimal();
    field(&mut padded, 0)["label"] = json!("  Viability ");
    assert_eq!(
        parse(&padded).expect("valid").stages[0].steps[0].fields[0].label,
        "Viability"
    );
}

/// Covers: GMP-TPL-3, GMP-QC-1
#[test]
fn qc_specifications_are_checked_by_type() {
    let spec = |t: &mut Value, value: Value| t["qc_tests"][0]["spec"] = value;
    refused(
        |t| spec(t, json!({"type": "range"})),
        "qc_tests[0].spec",
        "a min, a max or both",
    );
    refused(
        |t| spec(t, json!({"type": "range", "min": "5", "max": "4"})),
        "qc_tests[0].spec.min",
        "greater than max",
    );
    refused(
        |t| spec(t, json!({"type": "range", "max": 5})),
        "qc_tests[0].spec.max",
        "decimal string",
    );
    refused(
        |t| spec(t, json!({"type": "range", "max": "5 %"})),
        "qc_tests[0].spec.max",
        "space",
    );
    refused(
        |t| spec(t, json!({"type": "pass_fail", "max": "5"})),
        "qc_tests[0].spec",
        "unknown field `max`",
    );
    refused(
        |t| spec(t, json!({"type": "report", "expected": "x"})),
        "qc_tests[0].spec",
        "unknown field `expected`",
    );
    refused(
        |t| spec(t, json!({"type": "expected_text"})),
        "qc_tests[0].spec",
        "missing field `expected`",
    );
    refused(
        |t| spec(t, json!({"type": "expected_text", "expected": " "})),
        "qc_tests[0].spec.expected",
        "1 to 200",
    );
    refused(
        |t| spec(t, json!({"type": "limit"})),
        "qc_tests[0].spec.type",
        "unknown variant `limit`",
    );
    refused(
        |t| t["qc_tests"][0]["method"] = json!(""),
        "qc_tests[0].method",
        "1 to 200",
    );
    for (given, expected) in [
        (json!({"type": "pass_fail"}), QcSpec::PassFail),
        (json!({"type": "report"}), QcSpec::Report { unit: None }),
        (
            json!({"type": "expected_text", "expected": "no growth"}),
            QcSpec::ExpectedText {
                expected: "no growth".into(),
            },
        ),
        (
            json!({"type": "range", "max": "5", "unit": "EU/kg"}),
            QcSpec::Range {
                min: None,
                max: Some(Decimal::parse("5").expect("valid")),
                unit: Some("EU/kg".into()),
            },
        ),
    ] {
        let mut template = minimal();
        spec(&mut template, given.clone());
        let parsed = parse(&template).expect("valid");
        assert_eq!(parsed.qc_tests[0].spec, expected);
        assert_eq!(
            serde_json::to_value(&parsed.qc_tests[0].spec).expect("json"),
            given
        );
    }
}
