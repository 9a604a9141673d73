//! The files under `templates/`: the default CD19 CAR-T template and the JSON Schema for editors.

use serde_json::{json, Value};

use super::*;

const SHIPPED: &[u8] = include_bytes!("../../../templates/cd19-car-t-lentiviral.json");
const SCHEMA: &[u8] = include_bytes!("../../../templates/process-template.schema.json");

fn shipped() -> Template {
    Template::parse(SHIPPED).unwrap_or_else(|error| panic!("{}", error.message))
}

/// Covers: GMP-TPL-5
#[test]
fn the_shipped_template_has_the_documented_steps_and_tests_in_order() {
    let template = shipped();
    assert_eq!(
        (template.code.as_str(), template.version),
        ("cd19-car-t-lv", 1)
    );
    let steps: Vec<&str> = template.steps().map(|step| step.id.as_str()).collect();
    assert_eq!(
        steps,
        [
            "apheresis_receipt",
            "selection_activation",
            "transduction",
            "expansion",
            "harvest_formulation",
            "cryopreservation"
        ]
    );
    let tests: Vec<&str> = template.qc_tests.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        tests,
        [
            "appearance",
            "viable_cell_count",
            "viability",
            "cd3_identity",
            "car_expression",
            "vector_copy_number",
            "potency",
            "sterility",
            "mycoplasma",
            "endotoxin",
            "gram_stain",
            "rcl"
        ]
    );
}

/// Covers: GMP-TPL-5
#[test]
fn every_manufacturing_step_but_expansion_is_verified_and_confirms_identity() {
    let template = shipped();
    for step in template.steps() {
        assert_eq!(step.role, Role::Operator, "{}", step.id);
        let expansion = step.id == "expansion";
        assert_eq!(
            (step.verify, step.coi, step.repeatable),
            (!expansion, !expansion, expansion),
            "{}",
            step.id
        );
    }
}

/// Covers: GMP-TPL-5
#[test]
fn the_shipped_ranges_are_those_of_the_process_description() {
    let template = shipped();
    let field = |step: &str, field: &str| {
        let (_, step) = template.step(step).expect(step);
        step.field(field).cloned().expect(field)
    };
    let range = |f: &Field| {
        (
            f.min.as_ref().map(Limit::to_string),
            f.max.as_ref().map(Limit::to_string),
            f.unit.clone(),
        )
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        range(&field("apheresis_receipt", "viability")),
        (some("70"), some("100"), some("%"))
    );
    assert_eq!(
        range(&field("apheresis_receipt", "transport_temperature")),
        (some("2"), some("8"), some("°C"))
    );
    assert_eq!(
        range(&field("transduction", "moi")),
        (some("2"), some("10"), some("TU/cell"))
    );
    assert_eq!(
        field("transduction", "vector_lot").material.as_deref(),
        Some("lentiviral_vector")
    );
    assert_eq!(
        field("cryopreservation", "freezer").kind,
        FieldType::Equipment
    );

    let viability = field("expansion", "viability");
    let low = viability.read(&json!("65.5")).expect("a number");
    assert!(viability.out_of_range(&low).is_some());

    let spec = |id: &str| template.qc_test(id).map(|t| t.spec.clone()).expect(id);
    let decimal = |s: &str| Some(Decimal::parse(s).expect(s));
    assert_eq!(
        spec("viability"),
        QcSpec::Range {
            min: decimal("70"),
            max: None,
            unit: some("%")
        }
    );
    assert_eq!(
        spec("endotoxin"),
        QcSpec::Range {
            min: None,
            max: decimal("5"),
            unit: some("EU/kg")
        }
    );
    assert_eq!(
        spec("sterility"),
        QcSpec::ExpectedText {
            expected: "no growth".into()
        }
    );
}

/// Covers: GMP-TPL-5
#[test]
fn the_shipped_template_serializes_back_to_its_file() {
    let file: Value = serde_json::from_slice(SHIPPED).expect("JSON");
    assert_eq!(serde_json::to_value(shipped()).expect("serializes"), file);
}

fn schema_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_slice(SCHEMA).expect("the schema is JSON");
    jsonschema::meta::validate(&schema).expect("the schema is a valid draft 2020-12 schema");
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

/// Covers: GMP-TPL-5
#[test]
fn the_shipped_template_validates_against_the_schema() {
    let validator = schema_validator();
    let file: Value = serde_json::from_slice(SHIPPED).expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&file)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_refuses_what_the_parser_refuses() {
    let validator = schema_validator();
    let file: Value = serde_json::from_slice(SHIPPED).expect("JSON");
    let fields = "/stages/0/steps/0/fields";
    let changes: [(&str, Value); 10] = [
        ("/code", json!("CD19")),
        ("/version", json!(0)),
        (&format!("{fields}/4/min"), json!(2)),
        (&format!("{fields}/4/min"), json!("2,0")),
        (&format!("{fields}/0/unit"), json!("%")),
        (&format!("{fields}/0/id"), json!("Collection")),
        (&format!("{fields}/0/label"), json!("\u{202e}x")),
        (&format!("{fields}/5/choices"), json!([])),
        ("/qc_tests/0/spec", json!({"type": "pass_fail", "max": "5"})),
        ("/qc_tests/0/spec", json!({"type": "range"})),
    ];
    for (pointer, value) in changes {
        let mut changed = file.clone();
        let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
        changed.pointer_mut(parent).expect(pointer)[key] = value.clone();
        assert!(
            !validator.is_valid(&changed),
            "schema accepted {pointer} = {value}"
        );
        assert!(
            Template::parse(&serde_json::to_vec(&changed).expect("json")).is_err(),
            "{pointer}"
        );
    }
}

#[test]
fn the_example_in_the_readme_is_a_valid_template() {
    let readme = include_str!("../../../templates/README.md");
    let (_, after) = readme.split_once("```json\n").expect("an example");
    let (example, _) = after.split_once("```").expect("the end of the example");
    let template = Template::parse(example.as_bytes()).unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(template.code, "demo");
    let json: Value = serde_json::from_str(example).expect("JSON");
    assert!(schema_validator().is_valid(&json));
}
