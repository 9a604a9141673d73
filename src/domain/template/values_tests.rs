use serde_json::{json, Value};

use super::*;

fn field(kind: FieldType) -> Field {
    Field {
        id: "probe".into(),
        label: "Probe".into(),
        kind,
        unit: None,
        min: None,
        max: None,
        required: true,
        choices: Vec::new(),
        material: None,
    }
}

fn ranged(kind: FieldType, min: Option<Limit>, max: Option<Limit>) -> Field {
    Field {
        unit: Some("%".into()),
        min,
        max,
        ..field(kind)
    }
}

fn decimal(raw: &str) -> Limit {
    Limit::Decimal(Decimal::parse(raw).expect(raw))
}

/// Every accepted value reads back to itself through `as_json` and through serde.
fn accepted(field: &Field, value: Value) -> FieldValue {
    let read = field
        .read(&value)
        .unwrap_or_else(|e| panic!("{value}: {}", e.message));
    assert_eq!(read.kind(), field.kind);
    assert_eq!(field.read(&read.as_json()).expect("reads back"), read);
    let stored = serde_json::to_value(&read).expect("serializes");
    assert_eq!(
        serde_json::from_value::<FieldValue>(stored).expect("deserializes"),
        read
    );
    read
}

fn refused(field: &Field, value: Value, words: &str) {
    let error = field.read(&value).expect_err(&value.to_string());
    assert_eq!(error.code, "invalid_value", "{value}");
    assert!(
        error.message.starts_with("field 'probe'"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains(words),
        "expected '{words}' in: {}",
        error.message
    );
}

/// Covers: GMP-TPL-4, GMP-TPL-6
#[test]
fn numbers_are_decimal_strings_kept_as_entered() {
    let number = field(FieldType::Number);
    assert_eq!(
        accepted(&number, json!("1.25e8")).as_json(),
        json!("1.25e8")
    );
    accepted(&number, json!("-3"));
    accepted(&number, json!("70.0"));
    refused(&number, json!(70.5), "as JSON strings");
    refused(&number, json!(70), "as JSON strings");
    refused(&number, json!("1,5"), "not a decimal number");
    refused(&number, json!("NaN"), "not a decimal number");
    refused(&number, json!(null), "as a string");
    refused(&number, json!(true), "as a string");
}

/// Covers: GMP-TPL-4
#[test]
fn integers_are_whole_and_safe_for_any_json_reader() {
    let integer = field(FieldType::Integer);
    assert_eq!(accepted(&integer, json!(4)), FieldValue::Integer(4));
    assert_eq!(
        integer.read(&json!("-4")).expect("string"),
        FieldValue::Integer(-4)
    );
    accepted(&integer, json!(MAX_SAFE_INTEGER));
    accepted(&integer, json!(-MAX_SAFE_INTEGER));
    for bad in [
        json!(MAX_SAFE_INTEGER + 1),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(4.0),
        json!(4.5),
        json!("+4"),
        json!(" 4"),
        json!("4e0"),
        json!(""),
        json!("-"),
        json!(true),
        json!(null),
    ] {
        refused(&integer, bad, "whole number");
    }
}

/// Covers: GMP-TPL-4
#[test]
fn text_is_one_printable_line_of_up_to_2000_characters() {
    let text = field(FieldType::Text);
    assert_eq!(
        accepted(&text, json!("  PRG-07 ")),
        FieldValue::Text("PRG-07".into())
    );
    accepted(&text, json!("é".repeat(2000)));
    refused(&text, json!("a".repeat(2001)), "1 to 2000");
    refused(&text, json!(""), "1 to 2000");
    refused(&text, json!("line\nbreak"), "U+000A");
    refused(&text, json!("\u{202e}evil"), "U+202E");
    refused(&text, json!(12), "as a string");
}

/// Covers: GMP-TPL-4
#[test]
fn choices_must_be_one_of_the_list_exactly() {
    let choice = Field {
        choices: vec!["intact".into(), "leaking or damaged".into()],
        ..field(FieldType::Choice)
    };
    assert_eq!(
        accepted(&choice, json!("intact")),
        FieldValue::Choice("intact".into())
    );
    refused(
        &choice,
        json!("Intact"),
        "choose one of: intact, leaking or damaged",
    );
    refused(&choice, json!("broken"), "choose one of");
    refused(&choice, json!(0), "choose one of");
}

/// Covers: GMP-TPL-4
#[test]
fn booleans_are_json_booleans() {
    let boolean = field(FieldType::Boolean);
    assert_eq!(accepted(&boolean, json!(false)), FieldValue::Boolean(false));
    accepted(&boolean, json!(true));
    for bad in [json!("true"), json!(1), json!("yes"), json!(null)] {
        refused(&boolean, bad, "true or false");
    }
}

/// Covers: GMP-TPL-4
#[test]
fn datetimes_carry_their_offset_and_are_kept_as_given() {
    let datetime = field(FieldType::Datetime);
    let given = "2026-03-02T08:15:00.5+01:00";
    assert_eq!(
        accepted(&datetime, json!(given)),
        FieldValue::Datetime(given.into())
    );
    accepted(&datetime, json!("2026-03-02T07:15:00Z"));
    for bad in [
        "2026-03-02T08:15:00",
        "2026-03-02",
        "02.03.2026 08:15",
        "2026-02-30T08:00:00Z",
        "",
    ] {
        refused(&datetime, json!(bad), "RFC 3339");
    }
    refused(&datetime, json!(1_772_435_700), "RFC 3339");
}

/// Covers: GMP-TPL-4
#[test]
fn lots_and_equipment_are_short_plain_ids() {
    for kind in [FieldType::MaterialLot, FieldType::Equipment] {
        let reference = field(kind);
        accepted(&reference, json!("LOT-2026.03_a"));
        accepted(&reference, json!("x".repeat(64)));
        for bad in [
            json!(""),
            json!("x".repeat(65)),
            json!("LOT 1"),
            json!("LOT/1"),
            json!("lötz"),
            json!(7),
        ] {
            refused(&reference, bad, "1 to 64 letters");
        }
    }
    let lot = field(FieldType::MaterialLot)
        .read(&json!("L1"))
        .expect("valid");
    assert_eq!(
        (lot.material_lot(), lot.equipment(), lot.attachment()),
        (Some("L1"), None, None)
    );
    let unit = field(FieldType::Equipment)
        .read(&json!("FRZ-1"))
        .expect("valid");
    assert_eq!(
        (unit.equipment(), unit.material_lot()),
        (Some("FRZ-1"), None)
    );
}

/// Covers: GMP-TPL-4, GMP-MAT-4
#[test]
fn attachments_are_lowercase_sha256_hex() {
    let attachment = field(FieldType::Attachment);
    let hash = "ab".repeat(32);
    assert_eq!(
        accepted(&attachment, json!(hash)).attachment(),
        Some(hash.as_str())
    );
    for bad in [
        "AB".repeat(32),
        "ab".repeat(31),
        "zz".repeat(32),
        format!("{hash}0"),
    ] {
        refused(&attachment, json!(bad), "64 lowercase hex");
    }
}

/// Covers: GMP-TPL-4
#[test]
fn optional_fields_may_be_left_out_and_required_ones_may_not() {
    let optional = Field {
        required: false,
        ..field(FieldType::Text)
    };
    assert_eq!(optional.read_optional(None).expect("fine"), None);
    assert_eq!(
        optional.read_optional(Some(&json!(null))).expect("fine"),
        None
    );
    assert!(optional
        .read_optional(Some(&json!("x")))
        .expect("fine")
        .is_some());
    let required = field(FieldType::Text);
    assert_eq!(
        required.read_optional(None).expect_err("missing").code,
        "missing_value"
    );
    assert_eq!(
        required
            .read_optional(Some(&json!(null)))
            .expect_err("null")
            .code,
        "missing_value"
    );
}

#[test]
fn field_values_serialize_with_their_type() {
    let cases = [
        (
            FieldValue::Number(Decimal::parse("1.25e8").expect("valid")),
            json!({"type": "number", "value": "1.25e8"}),
        ),
        (
            FieldValue::Integer(4),
            json!({"type": "integer", "value": 4}),
        ),
        (
            FieldValue::Boolean(true),
            json!({"type": "boolean", "value": true}),
        ),
        (
            FieldValue::MaterialLot("L1".into()),
            json!({"type": "material_lot", "value": "L1"}),
        ),
        (
            FieldValue::Datetime("2026-03-02T07:15:00Z".into()),
            json!({"type": "datetime", "value": "2026-03-02T07:15:00Z"}),
        ),
    ];
    for (value, json) in cases {
        assert_eq!(serde_json::to_value(&value).expect("serializes"), json);
    }
    let bad = json!({"type": "number", "value": "1,5"});
    assert!(serde_json::from_value::<FieldValue>(bad).is_err());
}

/// Covers: GMP-DEV-1
#[test]
fn values_outside_the_range_are_breaches_not_refusals() {
    let viability = ranged(FieldType::Number, Some(decimal("70")), Some(decimal("100")));
    let read = |raw: &str| viability.read(&json!(raw)).expect("a number");
    assert_eq!(viability.out_of_range(&read("70")), None);
    assert_eq!(viability.out_of_range(&read("70.0")), None);
    assert_eq!(viability.out_of_range(&read("1e2")), None);
    assert_eq!(
        viability.out_of_range(&read("69.99")),
        Some(RangeBreach {
            min: Some("70".into()),
            max: Some("100".into()),
            value: "69.99".into(),
            unit: Some("%".into()),
        })
    );
    assert!(viability.out_of_range(&read("100.000001")).is_some());

    let cells = ranged(FieldType::Number, Some(decimal("1.2e8")), None);
    assert_eq!(
        cells.out_of_range(&cells.read(&json!("1.25e8")).expect("valid")),
        None
    );
    let breach = cells.out_of_range(&cells.read(&json!("1.19e8")).expect("valid"));
    assert_eq!(
        breach.map(|b| (b.min, b.max, b.value)),
        Some((Some("1.2e8".into()), None, "1.19e8".into()))
    );

    let day = ranged(
        FieldType::Integer,
        Some(Limit::Integer(3)),
        Some(Limit::Integer(12)),
    );
    assert_eq!(day.out_of_range(&FieldValue::Integer(12)), None);
    assert_eq!(
        day.out_of_range(&FieldValue::Integer(13)).map(|b| b.value),
        Some("13".into())
    );
    assert_eq!(
        day.out_of_range(&FieldValue::Integer(2)).map(|b| b.max),
        Some(Some("12".into()))
    );
}

#[test]
fn fields_without_a_range_or_of_another_type_never_breach() {
    assert_eq!(
        field(FieldType::Number)
            .out_of_range(&FieldValue::Number(Decimal::parse("-1e9").expect("valid"))),
        None
    );
    let viability = ranged(FieldType::Number, Some(decimal("70")), None);
    assert_eq!(viability.out_of_range(&FieldValue::Integer(3)), None);
    assert_eq!(viability.out_of_range(&FieldValue::Text("3".into())), None);
}

#[test]
fn a_field_type_is_named_as_templates_write_it() {
    for kind in FieldType::ALL {
        let written = serde_json::to_value(kind).unwrap();
        assert_eq!(written.as_str(), Some(kind.as_str()));
        assert_eq!(FieldType::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(FieldType::parse("Number"), None);
}
