//! The rules of recording and verifying steps, without a database.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::decide::*;
use super::*;
use crate::domain::coi::{Coi, FacilityId};
use crate::domain::material::{Lot, LotRegistered, LotStatus};
use crate::domain::{Role, Roles};

const TEMPLATE: &str = r#"{
  "code": "mini", "version": 1, "title": "Mini process",
  "stages": [{ "id": "make", "title": "Make", "steps": [
    { "id": "receipt", "title": "Receipt", "role": "operator", "verify": true, "coi": true,
      "repeatable": false, "fields": [
        { "id": "viability", "label": "Viability", "type": "number", "unit": "%",
          "min": "70", "max": "100", "required": true },
        { "id": "note", "label": "Note", "type": "text", "required": false } ] },
    { "id": "count", "title": "Count", "role": "operator", "verify": false, "coi": false,
      "repeatable": true, "fields": [
        { "id": "cells", "label": "Cells", "type": "number", "required": true } ] },
    { "id": "harvest", "title": "Harvest", "role": "operator", "verify": true, "coi": false,
      "repeatable": false, "fields": [
        { "id": "medium", "label": "Medium lot", "type": "material_lot",
          "material": "culture_medium", "required": true } ] } ] }],
  "qc_tests": [{ "id": "sterility", "title": "Sterility", "method": "BacT",
    "spec": { "type": "pass_fail" } }]
}"#;

fn template() -> Template {
    Template::parse(TEMPLATE.as_bytes()).expect("test template parses")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("date")
}

fn coi() -> Coi {
    Coi::assign(&FacilityId::parse("A1234").expect("fin"), 2026, 7).expect("coi")
}

fn operator() -> Roles {
    Roles::new([Role::Operator]).expect("roles")
}

fn new_batch() -> Batch {
    let created = decide_create(
        NewBatch {
            batch_number: "B-2026-00001".into(),
            coi: coi(),
            template_code: "mini".into(),
            template_version: 1,
            patient_code: "ER-LUP-007".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2014, 5, 2).expect("date"),
            treating_site: "Erlangen".into(),
            patient_weight_kg: "31.5".into(),
        },
        today(),
    )
    .expect("created");
    let recorded = crate::domain::Recorded {
        seq: 1,
        stream_seq: 0,
        hash: String::new(),
        actor: "op1".into(),
        recorded_at: String::new(),
        event: created,
    };
    Batch::fold(&[recorded]).expect("folds").expect("a batch")
}

fn values(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("object")
}

fn record(
    batch: &Batch,
    step: &str,
    values_json: Value,
    coi: Option<&str>,
) -> Result<Outcome, DomainError> {
    decide_record(
        batch,
        &template(),
        RecordStep {
            step_id: step.into(),
            values: values(values_json),
            coi: coi.map(str::to_owned),
        },
        ("op1", &operator()),
        &Resources::default(),
        today(),
    )
}

/// Folds the events of an accepted outcome into the batch, as the ledger would.
fn apply(batch: &mut Batch, outcome: Outcome, actor: &str) {
    let Outcome::Record(events) = outcome else {
        panic!("refused")
    };
    for (i, event) in events.into_iter().enumerate() {
        let recorded = crate::domain::Recorded {
            seq: 100 + i as i64,
            stream_seq: 0,
            hash: String::new(),
            actor: actor.into(),
            recorded_at: String::new(),
            event: event.clone(),
        };
        batch.apply(&recorded, &event);
    }
}

/// Covers: GMP-COI-3
#[test]
fn patient_codes_are_pseudonyms_and_dates_plausible() {
    let new = |code: &str, born: &str| {
        decide_create(
            NewBatch {
                batch_number: "B".into(),
                coi: coi(),
                template_code: "mini".into(),
                template_version: 1,
                patient_code: code.into(),
                date_of_birth: born.parse().expect("date"),
                treating_site: "Rome".into(),
                patient_weight_kg: "20".into(),
            },
            today(),
        )
        .map_err(|e| e.code)
    };
    assert!(new("RM-SSC-012", "2015-01-01").is_ok());
    assert_eq!(
        new("Maria Rossi", "2015-01-01").err(),
        Some("invalid_patient_code")
    );
    assert_eq!(
        new("RM-1", "2027-01-01").err(),
        Some("invalid_date_of_birth")
    );
}

/// Covers: GMP-COI-2
#[test]
fn the_coi_must_match_and_a_mismatch_is_recorded_not_the_step() {
    let batch = new_batch();
    let good = json!({ "viability": "85" });
    assert_eq!(
        record(&batch, "receipt", good.clone(), None)
            .expect_err("refused")
            .code,
        "coi_required"
    );
    let other = Coi::assign(&FacilityId::parse("A1234").expect("fin"), 2026, 8).expect("coi");
    let Outcome::RefuseAndRecord(events, refusal) =
        record(&batch, "receipt", good.clone(), Some(other.as_str())).expect("decided")
    else {
        panic!("a mismatch must be recorded")
    };
    assert_eq!(refusal.code, "coi_mismatch");
    assert!(matches!(events.as_slice(), [BatchEvent::CoiMismatch(_)]));
    // With or without its check character, this batch's identifier confirms.
    let printed = coi().printed();
    assert!(matches!(
        record(&batch, "receipt", good, Some(&printed)).expect("recorded"),
        Outcome::Record(_)
    ));
}

/// Covers: GMP-BAT-1, P11-10f
#[test]
fn steps_follow_the_template_order_and_are_recorded_once() {
    let mut batch = new_batch();
    let code = coi();
    assert_eq!(
        record(&batch, "count", json!({ "cells": "1e8" }), None)
            .expect_err("refused")
            .code,
        "step_out_of_order"
    );
    let receipt = record(
        &batch,
        "receipt",
        json!({ "viability": "85" }),
        Some(code.as_str()),
    )
    .expect("ok");
    apply(&mut batch, receipt, "op1");
    assert_eq!(
        record(
            &batch,
            "receipt",
            json!({ "viability": "86" }),
            Some(code.as_str())
        )
        .expect_err("refused")
        .code,
        "step_already_recorded"
    );
    for _ in 0..2 {
        let count = record(&batch, "count", json!({ "cells": "1e8" }), None).expect("repeatable");
        apply(&mut batch, count, "op1");
    }
    assert_eq!(batch.records_of("count").last().map(|r| r.record), Some(2));
    assert_eq!(batch.state(&template()), BatchState::InProcess);
}

/// Covers: GMP-DEV-1
#[test]
fn an_out_of_range_value_is_recorded_and_raises_a_deviation() {
    let batch = new_batch();
    let Outcome::Record(events) = record(
        &batch,
        "receipt",
        json!({ "viability": "65.5" }),
        Some(coi().as_str()),
    )
    .expect("recorded") else {
        panic!("recorded")
    };
    let [BatchEvent::StepRecorded(step), BatchEvent::DeviationRaised(deviation)] =
        events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(step.values["viability"].as_json(), json!("65.5"));
    assert!(deviation.automatic);
    assert_eq!(deviation.field_id.as_deref(), Some("viability"));
    let breach = deviation.breach.as_ref().expect("breach");
    assert_eq!(
        (breach.value.as_str(), breach.min.as_deref()),
        ("65.5", Some("70"))
    );
    assert!(
        deviation.description.contains("65.5 %"),
        "{}",
        deviation.description
    );
}

/// Covers: GMP-TPL-4, A11-5
#[test]
fn values_are_checked_by_type_and_unknown_or_missing_fields_refused() {
    let batch = new_batch();
    let code = coi();
    let refused = |v: Value| {
        record(&batch, "receipt", v, Some(code.as_str()))
            .expect_err("refused")
            .code
    };
    assert_eq!(refused(json!({})), "missing_value");
    assert_eq!(refused(json!({ "viability": 85 })), "invalid_value");
    assert_eq!(
        refused(json!({ "viability": "85", "colour": "red" })),
        "unknown_field"
    );
}

/// Covers: GMP-MAT-1
#[test]
fn a_lot_must_be_released_and_of_the_named_material() {
    let mut batch = new_batch();
    let code = coi();
    let outcome = record(
        &batch,
        "receipt",
        json!({ "viability": "85" }),
        Some(code.as_str()),
    )
    .expect("ok");
    apply(&mut batch, outcome, "op1");
    let outcome = record(&batch, "count", json!({ "cells": "1e8" }), None).expect("ok");
    apply(&mut batch, outcome, "op1");
    let lot = |status| Lot {
        registered: LotRegistered {
            lot_id: "L000001".into(),
            material: "culture_medium".into(),
            lot_number: "M1".into(),
            supplier: "S".into(),
            expiry: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            certificate: None,
        },
        status,
    };
    let with = |status| {
        let resources = Resources {
            lots: BTreeMap::from([("L000001".to_owned(), Some(lot(status)))]),
            ..Resources::default()
        };
        decide_record(
            &batch,
            &template(),
            RecordStep {
                step_id: "harvest".into(),
                values: values(json!({ "medium": "L000001" })),
                coi: None,
            },
            ("op1", &operator()),
            &resources,
            today(),
        )
        .map(|_| ())
        .map_err(|e| e.code)
    };
    assert_eq!(with(LotStatus::Quarantine), Err("lot_in_quarantine"));
    assert_eq!(with(LotStatus::Released), Ok(()));
}

/// Covers: A11-6, GMP-SOD-1
#[test]
fn a_second_person_with_the_role_verifies_once() {
    let mut batch = new_batch();
    let outcome = record(
        &batch,
        "receipt",
        json!({ "viability": "85" }),
        Some(coi().as_str()),
    )
    .expect("ok");
    apply(&mut batch, outcome, "op1");
    let ops = operator();
    let qa = Roles::new([Role::Qa]).expect("roles");
    let verify = |batch: &Batch, who: &str, roles: &Roles| {
        decide_verify(batch, &template(), "receipt", None, (who, roles)).map_err(|e| e.code)
    };
    assert_eq!(verify(&batch, "op1", &ops).err(), Some("self_verification"));
    assert_eq!(verify(&batch, "qa1", &qa).err(), Some("wrong_role"));
    let verified = verify(&batch, "op2", &ops).expect("verified");
    apply(&mut batch, Outcome::Record(vec![verified]), "op2");
    assert_eq!(verify(&batch, "op3", &ops).err(), Some("already_verified"));
    assert_eq!(
        decide_verify(&batch, &template(), "count", None, ("op2", &ops))
            .map_err(|e| e.code)
            .err(),
        Some("verification_not_required")
    );
    assert!(batch.participants.contains(&"op2".to_owned()));
}

/// Covers: GMP-DEV-3
#[test]
fn deviations_are_classified_before_closing_and_stay_closed() {
    use super::supervision::*;
    let mut batch = new_batch();
    let raised = decide_raise(
        &batch,
        &template(),
        "bag label smudged",
        Some("receipt".into()),
    )
    .expect("raised");
    apply(&mut batch, Outcome::Record(vec![raised]), "op1");
    assert_eq!(
        decide_close(&batch, 1, "i", "r", "CAPA-1")
            .expect_err("refused")
            .code,
        "deviation_not_classified"
    );
    let classified = decide_classify(&batch, 1, Classification::Minor).expect("classified");
    apply(&mut batch, Outcome::Record(vec![classified]), "qa1");
    let closed = decide_close(&batch, 1, "label reprinted", "printer", "CAPA-1").expect("closed");
    apply(&mut batch, Outcome::Record(vec![closed]), "qa1");
    assert!(!batch.deviations[0].is_open());
    assert_eq!(
        decide_classify(&batch, 1, Classification::Major)
            .expect_err("refused")
            .code,
        "deviation_closed"
    );
    assert_eq!(
        decide_classify(&batch, 2, Classification::Major)
            .expect_err("refused")
            .code,
        "deviation_not_found"
    );
    assert_eq!(
        decide_raise(&batch, &template(), "x", Some("nope".into()))
            .expect_err("refused")
            .code,
        "step_not_found"
    );
}

/// Covers: GMP-BAT-2
#[test]
fn a_hold_stops_recording_until_resumed_and_termination_is_final() {
    use super::supervision::*;
    let mut batch = new_batch();
    let receipt = |batch: &Batch| {
        record(
            batch,
            "receipt",
            json!({ "viability": "85" }),
            Some(coi().as_str()),
        )
    };
    assert_eq!(
        decide_course(&batch, Course::Resume, "why")
            .expect_err("refused")
            .code,
        "batch_not_on_hold"
    );
    let held = decide_course(&batch, Course::Hold, "sterility doubt").expect("held");
    apply(&mut batch, Outcome::Record(vec![held]), "qa1");
    assert_eq!(batch.state(&template()), BatchState::OnHold);
    assert_eq!(receipt(&batch).expect_err("refused").code, "batch_on_hold");
    let resumed = decide_course(&batch, Course::Resume, "cleared").expect("resumed");
    apply(&mut batch, Outcome::Record(vec![resumed]), "qa1");
    assert!(receipt(&batch).is_ok());
    let ended = decide_course(&batch, Course::Terminate, "consent withdrawn").expect("ended");
    apply(&mut batch, Outcome::Record(vec![ended]), "qa1");
    for course in [Course::Hold, Course::Resume, Course::Terminate] {
        assert_eq!(
            decide_course(&batch, course, "x")
                .expect_err("refused")
                .code,
            "batch_terminated"
        );
    }
    assert_eq!(
        receipt(&batch).expect_err("refused").code,
        "batch_terminated"
    );
}

/// Covers: GMP-COR-1, GMP-COR-2
#[test]
fn a_correction_names_what_it_corrects_and_asks_for_what_the_record_had() {
    use super::corrections::*;
    let mut batch = new_batch();
    let outcome = record(
        &batch,
        "receipt",
        json!({ "viability": "85" }),
        Some(coi().as_str()),
    )
    .expect("ok");
    apply(&mut batch, outcome, "op1");
    let correct = |batch: &Batch, who: &str, roles: &Roles, value: &str| {
        decide_correct(
            batch,
            &template(),
            Correct {
                step_id: "receipt".into(),
                record: 1,
                field_id: "viability".into(),
                value: json!(value),
                reason: "typo".into(),
            },
            (who, roles),
            &Resources::default(),
            today(),
        )
    };
    let qa = Roles::new([Role::Qa]).expect("roles");
    assert_eq!(
        correct(&batch, "op2", &operator(), "84")
            .expect_err("refused")
            .code,
        "not_performer"
    );
    assert_eq!(
        correct(&batch, "op1", &operator(), "85")
            .expect_err("refused")
            .code,
        "no_change"
    );
    let Outcome::Record(events) = correct(&batch, "qa1", &qa, "84").expect("QA corrects") else {
        panic!("recorded")
    };
    let BatchEvent::ValueCorrected(corrected) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(corrected.corrects.seq, batch.records[0].seq);
    assert!(
        !corrected.needs_verification,
        "the record was not verified yet"
    );
    assert!(!corrected.needs_approval, "manufacturing is not complete");
    // Once verified, a correction needs a second person again.
    let verified = decide_verify(&batch, &template(), "receipt", None, ("op2", &operator()))
        .expect("verified");
    apply(&mut batch, Outcome::Record(vec![verified]), "op2");
    let Outcome::Record(events) = correct(&batch, "op1", &operator(), "60").expect("corrected")
    else {
        panic!("recorded")
    };
    assert!(matches!(&events[0], BatchEvent::ValueCorrected(c) if c.needs_verification));
    assert!(matches!(&events[1], BatchEvent::DeviationRaised(d) if d.automatic));
    apply(&mut batch, Outcome::Record(events), "op1");
    assert_eq!(
        decide_verify_correction(&batch, &template(), 1, ("op1", &operator()))
            .expect_err("refused")
            .code,
        "self_verification"
    );
    assert!(decide_verify_correction(&batch, &template(), 1, ("op2", &operator())).is_ok());
    assert_eq!(
        decide_approve_correction(&batch, 1, "qa1")
            .expect_err("refused")
            .code,
        "correction_not_awaiting_approval"
    );
}

/// The API documents these names and the UI's styles and message ids are made of them: each
/// state is written as the name it has always had.
#[test]
fn states_are_written_as_their_names() {
    for status in [StepStatus::Pending, StepStatus::Recorded, StepStatus::Done] {
        let written = serde_json::to_value(status).unwrap();
        assert_eq!(written, json!(status.as_str()));
    }
    let values = [
        (ValueStatus::Recorded, "recorded", "recorded"),
        (
            ValueStatus::AwaitingVerification,
            "awaiting verification",
            "awaiting-verification",
        ),
        (
            ValueStatus::AwaitingApproval,
            "awaiting approval",
            "awaiting-approval",
        ),
        (ValueStatus::InEffect, "in effect", "in-effect"),
    ];
    for (status, name, slug) in values {
        assert_eq!(serde_json::to_value(status).unwrap(), json!(name));
        assert_eq!(status.as_str(), name);
        assert_eq!(status.slug(), slug);
    }
}
