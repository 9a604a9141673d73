use serde_json::{json, Value};

use super::*;

/// The smallest template that passes, which each test breaks in one place.
pub(super) fn minimal() -> Value {
    json!({
        "code": "demo-1",
        "version": 1,
        "title": "Demo process",
        "stages": [{
            "id": "receipt",
            "title": "Receipt",
            "steps": [{
                "id": "receive",
                "title": "Receive",
                "role": "operator",
                "verify": true,
                "coi": true,
                "repeatable": false,
                "fields": [
                    {"id": "viability", "label": "Viability", "type": "number", "unit": "%",
                     "min": "70", "max": "100", "required": true},
                    {"id": "bags", "label": "Bags", "type": "integer", "min": 1, "max": 4,
                     "required": true},
                    {"id": "integrity", "label": "Integrity", "type": "choice",
                     "choices": ["intact", "damaged"], "required": true},
                    {"id": "medium_lot", "label": "Medium lot", "type": "material_lot",
                     "material": "culture_medium", "required": false}
                ]
            }]
        }],
        "qc_tests": [{
            "id": "viability", "title": "Viability", "method": "Flow cytometry",
            "spec": {"type": "range", "min": "70", "unit": "%"}
        }]
    })
}

pub(super) fn parse(template: &Value) -> Result<Template, DomainError> {
    Template::parse(&serde_json::to_vec(template).expect("serializes"))
}

/// Applies `change` to the minimal template and expects a refusal whose message starts with
/// `path` and contains `words`.
pub(super) fn refused(change: impl FnOnce(&mut Value), path: &str, words: &str) {
    let mut template = minimal();
    change(&mut template);
    let error = parse(&template).expect_err(path);
    assert_eq!(error.code, "invalid_template", "{}", error.message);
    assert_eq!(
        error.field.as_deref(),
        Some(path),
        "expected the path {path} in: {}",
        error.message
    );
    assert!(
        error
            .message
            .strip_prefix(path)
            .is_some_and(|m| m.starts_with(": ")),
        "expected the path {path} first in: {}",
        error.message
    );
    assert!(
        error.message.contains(words),
        "expected '{words}' in: {}",
        error.message
    );
}

pub(super) fn field(template: &mut Value, at: usize) -> &mut Value {
    &mut template["stages"][0]["steps"][0]["fields"][at]
}

pub(super) fn remove(object: &mut Value, key: &str) {
    object.as_object_mut().expect("an object").remove(key);
}

pub(super) fn step(template: &mut Value) -> &mut Value {
    &mut template["stages"][0]["steps"][0]
}

#[test]
fn the_minimal_template_parses_and_serializes_back_to_itself() {
    let template = parse(&minimal()).expect("valid");
    assert_eq!(
        serde_json::to_value(&template).expect("serializes"),
        minimal()
    );
    let back: Template = serde_json::from_value(minimal()).expect("deserializes");
    assert_eq!(back, template);
}

#[test]
fn lookups_follow_process_order() {
    let mut two = minimal();
    let mut second = two["stages"][0].clone();
    second["id"] = json!("culture");
    second["steps"][0]["id"] = json!("feed");
    two["stages"].as_array_mut().expect("array").push(second);
    let template = parse(&two).expect("valid");
    let ids: Vec<&str> = template.steps().map(|step| step.id.as_str()).collect();
    assert_eq!(ids, ["receive", "feed"]);
    assert_eq!(template.step("feed").map(|(at, _)| at), Some(1));
    assert!(template.step("nothing").is_none());
    assert_eq!(
        template.stage_of("feed").map(|s| s.id.as_str()),
        Some("culture")
    );
    assert!(template.qc_test("viability").is_some());
    assert!(template.qc_test("receive").is_none());
    let (_, receive) = template.step("receive").expect("exists");
    assert_eq!(receive.role, Role::Operator);
    assert_eq!(
        receive.field("bags").map(|f| f.kind),
        Some(FieldType::Integer)
    );
}

/// Covers: GMP-TPL-3
#[test]
fn malformed_json_and_unknown_keys_are_refused_with_their_path() {
    let error = Template::parse(b"{\"code\": ").expect_err("truncated");
    assert!(
        error.message.starts_with("the template: EOF while parsing"),
        "{}",
        error.message
    );
    assert!(Template::parse(b"{} {}").is_err());
    refused(
        |t| t["owner"] = json!("qa"),
        "owner",
        "unknown field `owner`",
    );
    refused(
        |t| field(t, 0)["requred"] = json!(true),
        "stages[0].steps[0].fields[0].requred",
        "unknown field",
    );
    refused(
        |t| step(t)["verfy"] = json!(true),
        "stages[0].steps[0].verfy",
        "unknown field",
    );
    refused(
        |t| field(t, 0)["type"] = json!("float"),
        "stages[0].steps[0].fields[0].type",
        "float",
    );
    refused(
        |t| remove(step(t), "verify"),
        "stages[0].steps[0]",
        "missing field `verify`",
    );
    refused(|t| t["version"] = json!(-1), "version", "");
    refused(|t| t["version"] = json!("1"), "version", "");
}

/// Covers: GMP-TPL-3
#[test]
fn objects_written_as_arrays_of_their_values_are_refused() {
    let positional = json!(["demo-1", 1, "Demo", [], []]);
    let error = parse(&positional).expect_err("an array");
    assert_eq!(error.message, "the template: expected a JSON object");
    refused(
        |t| t["stages"][0] = json!(["receipt", "Receipt", []]),
        "stages[0]",
        "JSON object",
    );
    refused(
        |t| step(t)["fields"][0] = json!(["x", "X", "text", null, null, null, true, null, null]),
        "stages[0].steps[0].fields[0]",
        "JSON object",
    );
    refused(
        |t| t["stages"][0]["steps"][0] = json!([]),
        "stages[0].steps[0]",
        "JSON object",
    );
    refused(
        |t| t["qc_tests"][0]["spec"] = json!(["pass_fail"]),
        "qc_tests[0].spec",
        "JSON object",
    );
    refused(
        |t| t["qc_tests"][0] = json!("viability"),
        "qc_tests[0]",
        "JSON object",
    );
}

/// Covers: GMP-TPL-3
#[test]
fn template_code_version_and_title_are_checked() {
    for code in [
        "a",
        "CD19",
        "cd19_car",
        "-cd19",
        "cd19-",
        "cd19--x",
        &"a".repeat(41),
    ] {
        refused(|t| t["code"] = json!(code), "code", "lowercase");
    }
    assert!(parse(&{
        let mut t = minimal();
        t["code"] = json!("a".repeat(40));
        t
    })
    .is_ok());
    refused(|t| t["version"] = json!(0), "version", "positive");
    refused(|t| t["title"] = json!("  "), "title", "1 to 200 characters");
    refused(|t| t["title"] = json!("Demo\u{202e}"), "title", "U+202E");
}

/// Covers: GMP-TPL-3
#[test]
fn stages_steps_and_tests_must_exist() {
    refused(|t| t["stages"] = json!([]), "stages", "at least one stage");
    refused(
        |t| t["stages"][0]["steps"] = json!([]),
        "stages[0].steps",
        "at least one step",
    );
    refused(
        |t| step(t)["fields"] = json!([]),
        "stages[0].steps[0].fields",
        "at least one field",
    );
    refused(|t| t["qc_tests"] = json!([]), "qc_tests", "at least one QC");
}

/// Covers: GMP-TPL-3
#[test]
fn ids_are_snake_case_and_unique_in_their_scope() {
    for bad in [
        "Receive",
        "1receive",
        "re-ceive",
        "receive_",
        "re__ceive",
        "",
        "_x",
    ] {
        refused(
            |t| step(t)["id"] = json!(bad),
            "stages[0].steps[0].id",
            "snake_case",
        );
    }
    refused(
        |t| t["stages"][0]["id"] = json!("Receipt"),
        "stages[0].id",
        "stage id",
    );
    refused(
        |t| field(t, 1)["id"] = json!("viability"),
        "stages[0].steps[0].fields[1].id",
        "used twice",
    );
    refused(
        |t| t["qc_tests"][0]["id"] = json!("Viability"),
        "qc_tests[0].id",
        "QC test id",
    );
    refused(
        |t| {
            let copy = t["qc_tests"][0].clone();
            t["qc_tests"].as_array_mut().expect("array").push(copy);
        },
        "qc_tests[1].id",
        "used twice",
    );
    // Step ids are unique across stages; the same field id in two steps is fine.
    refused(
        |t| {
            let mut copy = t["stages"][0].clone();
            copy["id"] = json!("culture");
            t["stages"].as_array_mut().expect("array").push(copy);
        },
        "stages[1].steps[0].id",
        "the step 'receive' is used twice",
    );
    let mut two_steps = minimal();
    let mut copy = two_steps["stages"][0]["steps"][0].clone();
    copy["id"] = json!("count");
    two_steps["stages"][0]["steps"]
        .as_array_mut()
        .expect("array")
        .push(copy);
    assert!(parse(&two_steps).is_ok());
}

/// Covers: GMP-TPL-3
#[test]
fn only_recording_roles_perform_steps() {
    refused(
        |t| step(t)["role"] = json!("qa"),
        "stages[0].steps[0].role",
        "operator or qc_analyst",
    );
    refused(
        |t| step(t)["role"] = json!("chef"),
        "stages[0].steps[0].role",
        "'chef'",
    );
    let mut qc = minimal();
    step(&mut qc)["role"] = json!("qc_analyst");
    assert_eq!(
        parse(&qc).expect("valid").stages[0].steps[0].role,
        Role::QcAnalyst
    );
}

/// Covers: GMP-TPL-3
#[test]
fn oversized_input_is_refused_before_parsing() {
    let huge = vec![b' '; (1 << 20) + 1];
    assert!(Template::parse(&huge)
        .expect_err("too big")
        .message
        .contains("1 MiB"));
}
