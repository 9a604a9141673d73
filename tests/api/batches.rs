//! A batch through every manufacturing step of the shipped template, and each rule refused
//! with its problem code, through the HTTP API.

use serde_json::{json, Value};

use crate::batch_support::{create_batch, record, run_until, site, verify};
use crate::helpers::{problem, spawn_app};

/// Covers: GMP-BAT-1, A11-6
#[tokio::test]
async fn a_batch_goes_through_every_manufacturing_step_with_two_operators() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    assert!(
        batch.starts_with("B-2026-") || batch.starts_with("B-20"),
        "{batch}"
    );
    assert_eq!(coi.len(), 15);
    assert!(coi.starts_with("CHA999926"), "{coi}");
    assert_eq!(created["state"], "created");
    assert_eq!(created["template"]["version"], 1);
    // The identifier as labels print it: with its check character, accepted as scanned.
    let printed = created["coi_printed"].as_str().expect("printed").to_owned();
    assert_eq!(printed.len(), 17);
    run_until(&app, &site, &batch, &printed, "expansion").await;
    // A second in-process count on another day.
    let mut day8 = site.values("expansion");
    day8["process_day"] = json!(8);
    for values in [site.values("expansion"), day8] {
        assert_eq!(
            record(&app, &site.op1, &batch, "expansion", values, None)
                .await
                .status(),
            201
        );
    }
    for (i, step) in ["harvest_formulation", "cryopreservation"]
        .iter()
        .enumerate()
    {
        let (performer, verifier) = if i == 0 {
            (&site.op2, &site.op1)
        } else {
            (&site.op1, &site.op2)
        };
        let recorded = record(&app, performer, &batch, step, site.values(step), Some(&coi)).await;
        assert_eq!(
            recorded.status(),
            201,
            "{step}: {}",
            recorded.text().await.unwrap_or_default()
        );
        assert_eq!(verify(&app, verifier, &batch, step).await.status(), 200);
    }
    let record_view: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(record_view["state"], "qc_pending");
    let steps = record_view["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 6);
    assert!(steps.iter().all(|s| s["status"] == "done"), "{record_view}");
    assert_eq!(steps[3]["records"].as_array().map(Vec::len), Some(2));
    let receipt = &steps[0]["records"][0];
    assert_eq!(receipt["values"]["viability"]["value"], "92");
    assert_eq!(receipt["values"]["viability"]["unit"], "%");
    assert_eq!(receipt["values"]["viability"]["min"], "70");
    assert_eq!(receipt["performed_by"], site.op1.username.as_str());
    assert_eq!(receipt["verified_by"], site.op2.username.as_str());
    let meanings: Vec<&str> = receipt["signatures"]
        .as_array()
        .expect("signatures")
        .iter()
        .map(|s| s["meaning"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(meanings, ["performed", "verified"]);
    assert!(receipt["signatures"][0]["signer_full_name"]
        .as_str()
        .expect("printed name")
        .starts_with("Test Person"));
    assert!(record_view["deviations"]
        .as_array()
        .expect("list")
        .is_empty());
    let listed: Value = app
        .get("/api/v1/batches?state=qc_pending", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["batches"][0]["batch_number"], batch.as_str());
    // The ledger verifies, and projections rebuilt from it equal the live ones.
    let verified = app.run_cli(&["verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert!(app.run_cli(&["rebuild-projections"]).status.success());
    let again: Value = app
        .get("/api/v1/batches?state=qc_pending", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(again, listed);
}

/// Covers: P11-10f, GMP-BAT-1, GMP-SOD-1
#[tokio::test]
async fn order_repetition_self_verification_and_role_are_refused_with_their_codes() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let qc = app.user_with_roles(&["qc_analyst"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let refused = |response| async { problem(response).await };
    let (status, body) = refused(
        record(
            &app,
            &site.op1,
            &batch,
            "transduction",
            site.values("transduction"),
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("step_out_of_order"))
    );
    let (status, body) = refused(
        record(
            &app,
            &qc,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("wrong_role"))
    );
    let (status, body) = refused(
        record(
            &app,
            &site.qa,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("forbidden"))
    );
    let first = record(
        &app,
        &site.op1,
        &batch,
        "apheresis_receipt",
        site.values("apheresis_receipt"),
        Some(&coi),
    )
    .await;
    assert_eq!(first.status(), 201);
    let (status, body) = refused(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("step_already_recorded"))
    );
    let (status, body) = refused(verify(&app, &site.op1, &batch, "apheresis_receipt").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("self_verification"))
    );
    let mut unknown = site.values("apheresis_receipt");
    unknown["colour"] = json!("red");
    let mut missing = site.values("selection_activation");
    missing
        .as_object_mut()
        .expect("object")
        .remove("cells_seeded");
    let (_, body) = refused(
        record(
            &app,
            &site.op2,
            &batch,
            "selection_activation",
            missing,
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(body["code"], "missing_value");
    assert_eq!(
        body["field"], "cells_seeded",
        "the problem names its input: {body}"
    );
    let mut float = site.values("selection_activation");
    float["cells_seeded"] = json!(100000000.0);
    let (_, body) = refused(
        record(
            &app,
            &site.op2,
            &batch,
            "selection_activation",
            float,
            Some(&coi),
        )
        .await,
    )
    .await;
    assert_eq!(body["code"], "invalid_value");
    assert_eq!(body["field"], "cells_seeded", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("cells_seeded"),
        "{body}"
    );
}

/// Covers: GMP-COI-2, A11-13
#[tokio::test]
async fn a_coi_mismatch_is_refused_and_recorded_as_a_security_event() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let other = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let wrong = other["coi"].as_str().expect("coi").to_owned();
    let response = record(
        &app,
        &site.op1,
        &batch,
        "apheresis_receipt",
        site.values("apheresis_receipt"),
        Some(&wrong),
    )
    .await;
    let (status, body) = problem(response).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("coi_mismatch"))
    );
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("STOP"),
        "{body}"
    );
    let stream = format!("batch/{batch}");
    let kinds: Vec<(String, String)> = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["payload"]["presented"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[1], ("batch.coi_mismatch".to_owned(), wrong.clone()));
    let view: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(view["coi_mismatches"], 1);
    assert_eq!(view["steps"][0]["status"], "pending");
    // A step that re-confirms the identity needs it; a mistyped check character is refused.
    let (_, body) = problem(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(body["code"], "coi_required");
    let own = created["coi"].as_str().expect("coi");
    let bad_check = format!(
        "{own}{}",
        if created["coi_printed"]
            .as_str()
            .expect("printed")
            .ends_with('A')
        {
            'B'
        } else {
            'A'
        }
    );
    let (_, body) = problem(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&bad_check),
        )
        .await,
    )
    .await;
    assert_eq!(body["code"], "coi_check_character");
}

/// Covers: GMP-COI-4, GMP-TPL-1
#[tokio::test]
async fn two_batches_never_share_a_coi_and_only_an_approved_template_starts_one() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let body = json!({ "template": "cd19-car-t-lv", "patient_code": "RM-SSC-012",
                       "date_of_birth": "2012-01-09", "treating_site": "Rome",
                       "patient_weight_kg": "28" });
    let (status, problem_body) = problem(
        app.post("/api/v1/batches", Some(&operator.token), &body)
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), problem_body["code"].as_str()),
        (409, Some("template_not_approved"))
    );
    crate::batch_support::approve_template(&app, app.approver().await).await;
    let given = "CHG12342600001";
    let mut with_coi = body.clone();
    with_coi["coi"] = json!("CHA123426000001");
    assert_eq!(
        app.post("/api/v1/batches", Some(&operator.token), &with_coi)
            .await
            .status(),
        201
    );
    let (status, problem_body) = problem(
        app.post("/api/v1/batches", Some(&operator.token), &with_coi)
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), problem_body["code"].as_str()),
        (409, Some("coi_in_use"))
    );
    assert_eq!(problem_body["field"], "coi", "{problem_body}");
    let mut short = body.clone();
    short["coi"] = json!(given);
    assert_eq!(
        problem(
            app.post("/api/v1/batches", Some(&operator.token), &short)
                .await
        )
        .await
        .1["code"],
        "invalid_coi"
    );
    let mut named = body.clone();
    named["patient_code"] = json!("Maria Rossi");
    let (_, refused) = problem(
        app.post("/api/v1/batches", Some(&operator.token), &named)
            .await,
    )
    .await;
    assert_eq!(
        (refused["code"].as_str(), refused["field"].as_str()),
        (Some("invalid_patient_code"), Some("patient_code"))
    );
    let mut heavy = body.clone();
    heavy["patient_weight_kg"] = json!("401");
    let (_, refused) = problem(
        app.post("/api/v1/batches", Some(&operator.token), &heavy)
            .await,
    )
    .await;
    assert_eq!(refused["field"], "patient_weight_kg", "{refused}");
    // A refusal about no one input names none.
    let (_, unauthorized) = problem(app.post("/api/v1/batches", None, &body).await).await;
    assert!(unauthorized.get("field").is_none(), "{unauthorized}");
}

/// Covers: GMP-DEV-1, GMP-EVT-1
#[tokio::test]
async fn an_out_of_range_value_is_recorded_and_raises_a_deviation_in_the_same_transaction() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let mut values = site.values("apheresis_receipt");
    values["viability"] = json!("65.5");
    let recorded: Value = record(
        &app,
        &site.op1,
        &batch,
        "apheresis_receipt",
        values,
        Some(&coi),
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(
        recorded["steps"][0]["records"][0]["values"]["viability"]["value"],
        "65.5"
    );
    assert_eq!(
        recorded["steps"][0]["records"][0]["values"]["viability"]["in_range"],
        false
    );
    let deviation = &recorded["deviations"][0];
    assert_eq!(deviation["automatic"], true);
    assert_eq!(deviation["field_id"], "viability");
    assert_eq!(deviation["state"], "open");
    assert!(
        deviation["description"]
            .as_str()
            .unwrap_or_default()
            .contains("65.5 %"),
        "{deviation}"
    );
    let stream = format!("batch/{batch}");
    let entries: Vec<Value> = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .collect();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "batch.created",
            "batch.step_recorded",
            "batch.deviation_raised",
            "signature.applied"
        ]
    );
    assert_eq!(
        entries[1]["seq"].as_i64().map(|s| s + 1),
        entries[2]["seq"].as_i64()
    );
}

/// Covers: GMP-MAT-1, GMP-MAT-2
#[tokio::test]
async fn unusable_lots_and_equipment_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    run_until(&app, &site, &batch, &coi, "selection_activation").await;
    let quarantined =
        crate::materials::register_lot(&app, &site.qa, "cytokine", "2099-01-01").await;
    let expired = crate::materials::register_lot(&app, &site.qa, "cytokine", "2020-01-01").await;
    assert_eq!(
        crate::materials::release_lot(&app, &site.qa, &expired)
            .await
            .status(),
        200
    );
    crate::materials::register_equipment(&app, &site.qa, "PRODIGY-OLD", "2020-01-01").await;
    let cases = [
        ("cytokine_lot", json!(quarantined), "lot_in_quarantine"),
        ("cytokine_lot", json!(expired), "lot_expired"),
        (
            "cytokine_lot",
            json!(site.lot("culture_medium")),
            "lot_wrong_material",
        ),
        ("cytokine_lot", json!("L999999"), "lot_unknown"),
        (
            "automated_system",
            json!("PRODIGY-OLD"),
            "equipment_out_of_calibration",
        ),
        ("automated_system", json!("NO-SUCH"), "equipment_unknown"),
    ];
    for (field, value, code) in cases {
        let mut values = site.values("selection_activation");
        values[field] = value;
        let (status, body) = problem(
            record(
                &app,
                &site.op2,
                &batch,
                "selection_activation",
                values,
                Some(&coi),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (422, Some(code)),
            "{field}"
        );
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .starts_with(field),
            "{body}"
        );
    }
}

/// Covers: GMP-BAT-3, GMP-EVT-2
#[tokio::test]
async fn racing_clients_record_a_step_once_and_a_stale_if_match_gets_412() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let values = site.values("apheresis_receipt");
    let attempts = (0..4).map(|i| {
        let who = if i % 2 == 0 { &site.op1 } else { &site.op2 };
        record(
            &app,
            who,
            &batch,
            "apheresis_receipt",
            values.clone(),
            Some(&coi),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 409].contains(s)),
        "{statuses:?}"
    );
    let read = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.op1.token))
        .await;
    let etag = read.headers()["etag"].to_str().expect("etag").to_owned();
    let stale = "\"1\"";
    assert_ne!(etag, stale);
    let body = json!({ "signature": { "password": site.op2.password, "meaning": "verified" } });
    let with = |tag: &str| {
        app.client
            .post(app.url(&format!(
                "/api/v1/batches/{batch}/steps/apheresis_receipt/verify"
            )))
            .bearer_auth(&site.op2.token)
            .header("If-Match", tag)
            .json(&body)
            .send()
    };
    let verifier = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.op2.token))
        .await;
    let performer_was_op2 = verifier.json::<Value>().await.expect("JSON")["steps"][0]["records"][0]
        ["performed_by"]
        == site.op2.username.as_str();
    let (status, body_json) = problem(with(stale).await.expect("sent")).await;
    assert_eq!(
        (status.as_u16(), body_json["code"].as_str()),
        (412, Some("precondition_failed"))
    );
    let current = with(&etag).await.expect("sent");
    let expected = if performer_was_op2 { 403 } else { 200 };
    assert_eq!(current.status().as_u16(), expected);
}

/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_record_into_sixteen_batches_at_once() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let mut batches = Vec::new();
    for _ in 0..16 {
        let created = create_batch(&app, &site.op1, None).await;
        batches.push((
            created["batch_number"].as_str().expect("number").to_owned(),
            created["coi"].as_str().expect("coi").to_owned(),
        ));
    }
    let values = site.values("apheresis_receipt");
    let attempts = batches.iter().enumerate().map(|(i, (batch, coi))| {
        let who = if i % 2 == 0 { &site.op1 } else { &site.op2 };
        record(
            &app,
            who,
            batch,
            "apheresis_receipt",
            values.clone(),
            Some(coi),
        )
    });
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let pending: Value = app
        .get("/api/v1/batches?pending_for=me", Some(&site.op2.token))
        .await
        .json()
        .await
        .expect("JSON");
    // op2 may verify the eight records op1 made, never its own.
    assert_eq!(pending["batches"].as_array().map(Vec::len), Some(8));
    let verified = app.run_cli(&["verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

/// Covers: A11-6
#[tokio::test]
async fn a_step_record_is_verified_only_through_its_action_never_by_a_loose_signature() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let recorded: Value = record(
        &app,
        &site.op1,
        &batch,
        "apheresis_receipt",
        site.values("apheresis_receipt"),
        Some(&coi),
    )
    .await
    .json()
    .await
    .expect("JSON");
    let seq = recorded["steps"][0]["records"][0]["seq"]
        .as_i64()
        .expect("seq");
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/ledger/entries/{seq}/signatures"),
            Some(&site.op2.token),
            &json!({ "signature": { "password": site.op2.password, "meaning": "verified" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("sign_through_its_action"))
    );
    let view: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.op1.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(view["steps"][0]["status"], "recorded");
}
