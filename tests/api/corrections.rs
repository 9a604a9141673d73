//! Corrections: a new event naming what it corrects, with its history, a second person's
//! verification where the record was verified, and QA's approval once manufacturing is done.

use serde_json::{json, Value};

use crate::batch_support::{create_batch, record, run_until, site, verify};
use crate::helpers::{problem, spawn_app, TestApp, TestUser};

async fn correct(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    field: &str,
    value: &str,
    reason: &str,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/batches/{batch}/corrections"),
        Some(&who.token),
        &json!({ "step_id": "apheresis_receipt", "record": 1, "field_id": field, "value": value,
                 "reason": reason, "signature": { "password": who.password, "meaning": "performed" } }),
    )
    .await
}

async fn confirm(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    id: u32,
    action: &str,
    meaning: &str,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/batches/{batch}/corrections/{id}/{action}"),
        Some(&who.token),
        &json!({ "signature": { "password": who.password, "meaning": meaning } }),
    )
    .await
}

/// Covers: P11-10e-2, GMP-COR-1, GMP-COR-2
#[tokio::test]
async fn a_correction_keeps_the_history_and_is_verified_again_by_a_second_person() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    assert_eq!(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi)
        )
        .await
        .status(),
        201
    );
    let verified: Value = verify(&app, &site.op2, &batch, "apheresis_receipt")
        .await
        .json()
        .await
        .expect("JSON");
    let original_seq = verified["steps"][0]["records"][0]["seq"]
        .as_i64()
        .expect("seq");
    let (status, body) =
        problem(correct(&app, &site.op2, &batch, "viability", "91", "typo").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("not_performer"))
    );
    let (_, body) =
        problem(correct(&app, &site.op1, &batch, "viability", "92", "same").await).await;
    assert_eq!(body["code"], "no_change");
    let corrected = correct(
        &app,
        &site.op1,
        &batch,
        "viability",
        "91",
        "transcription error from the counter printout",
    )
    .await;
    assert_eq!(corrected.status(), 201);
    let corrected: Value = corrected.json().await.expect("JSON");
    let viability = &corrected["steps"][0]["records"][0]["values"]["viability"];
    assert_eq!(viability["value"], "91");
    let history = viability["history"].as_array().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0]["value"].as_str(), history[1]["value"].as_str()),
        (Some("92"), Some("91"))
    );
    assert_eq!(
        history[1]["reason"],
        "transcription error from the counter printout"
    );
    assert_eq!(history[1]["status"], "awaiting verification");
    // The original's signatures stay bound to the old content.
    let signatures: Value = app
        .get(
            &format!("/api/v1/ledger/entries/{original_seq}/signatures"),
            Some(&auditor.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(signatures["corrected_by"], json!([history[1]["seq"]]));
    assert_eq!(signatures["signatures"][0]["content_is_current"], false);
    let (status, body) =
        problem(confirm(&app, &site.op1, &batch, 1, "verify", "verified").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("self_verification"))
    );
    let confirmed: Value = confirm(&app, &site.op2, &batch, 1, "verify", "verified")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        confirmed["steps"][0]["records"][0]["values"]["viability"]["history"][1]["status"],
        "in effect"
    );
    let (status, body) =
        problem(confirm(&app, &site.qa, &batch, 1, "approve", "approved").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("correction_not_awaiting_approval"))
    );
    // A corrected value out of range raises a deviation like any value.
    let low: Value = correct(&app, &site.qa, &batch, "viability", "60", "recount by QA")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(low["deviations"][0]["field_id"], "viability");
    assert!(low["deviations"][0]["description"]
        .as_str()
        .unwrap_or_default()
        .contains("corrected to 60"));
}

/// Covers: GMP-COR-2, GMP-SOD-2
#[tokio::test]
async fn after_manufacturing_a_correction_needs_qa_approval_by_someone_else() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let second_qa = app.user_with_roles(&["qa"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    run_until(&app, &site, &batch, &coi, "end").await;
    let done: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.op1.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(done["state"], "qc_pending");
    let corrected: Value = correct(&app, &site.qa, &batch, "volume", "245", "bag weighed again")
        .await
        .json()
        .await
        .expect("JSON");
    let change = &corrected["steps"][0]["records"][0]["values"]["volume"]["history"][1];
    assert_eq!(change["status"], "awaiting verification");
    assert_eq!(
        corrected["state"], "in_process",
        "a correction waiting for verification reopens the record"
    );
    assert_eq!(
        confirm(&app, &site.op2, &batch, 1, "verify", "verified")
            .await
            .status(),
        200
    );
    let (status, body) =
        problem(confirm(&app, &site.qa, &batch, 1, "approve", "approved").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("approver_is_author"))
    );
    let (status, _) =
        problem(confirm(&app, &site.op2, &batch, 1, "approve", "approved").await).await;
    assert_eq!(status, 403);
    let approved: Value = confirm(&app, &second_qa, &batch, 1, "approve", "approved")
        .await
        .json()
        .await
        .expect("JSON");
    let change = &approved["steps"][0]["records"][0]["values"]["volume"]["history"][1];
    assert_eq!(change["approved_by"], second_qa.username.as_str());
    assert_eq!(change["status"], "in effect");
    assert_eq!(approved["state"], "qc_pending");
    let verify_cli = app.run_cli(&["verify"]);
    assert!(
        verify_cli.status.success(),
        "{}",
        String::from_utf8_lossy(&verify_cli.stdout)
    );
}

/// Covers: GMP-SOD-2, GMP-COR-2
#[tokio::test]
async fn whoever_corrected_a_record_cannot_verify_it_and_a_second_correction_still_needs_qa() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let both = app.user_with_roles(&["operator", "qa"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    assert_eq!(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi)
        )
        .await
        .status(),
        201
    );
    // A QA person who is also an operator corrects the unverified record, then tries to verify it.
    assert_eq!(
        correct(&app, &both, &batch, "volume", "240", "re-weighed")
            .await
            .status(),
        201
    );
    let (status, body) = problem(verify(&app, &both, &batch, "apheresis_receipt").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("self_verification"))
    );
    assert_eq!(
        verify(&app, &site.op2, &batch, "apheresis_receipt")
            .await
            .status(),
        200
    );
    // The performer may not verify a correction of their own record either.
    assert_eq!(
        correct(&app, &site.qa, &batch, "volume", "241", "re-weighed again")
            .await
            .status(),
        201
    );
    let (status, _) =
        problem(confirm(&app, &site.op1, &batch, 2, "verify", "verified").await).await;
    assert_eq!(status, 403);
    // Once every step is recorded, every later correction needs QA, even while an earlier one
    // still waits for its verification.
    assert_eq!(
        confirm(&app, &site.op2, &batch, 2, "verify", "verified")
            .await
            .status(),
        200
    );
    run_until_from(&app, &site, &batch, &coi).await;
    let first: Value = correct(&app, &site.op1, &batch, "viability", "91", "typo")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        first["steps"][0]["records"][0]["values"]["viability"]["history"][1]["status"],
        "awaiting verification"
    );
    let second: Value = correct(&app, &site.op1, &batch, "cd3_percent", "44", "typo")
        .await
        .json()
        .await
        .expect("JSON");
    let change = &second["steps"][0]["records"][0]["values"]["cd3_percent"]["history"][1];
    assert_eq!(change["status"], "awaiting verification");
    assert_eq!(
        confirm(&app, &site.op2, &batch, 4, "verify", "verified")
            .await
            .status(),
        200
    );
    let approved = confirm(&app, &site.qa, &batch, 4, "approve", "approved").await;
    assert_eq!(
        approved.status(),
        200,
        "the second correction needed QA's approval too"
    );
}

/// Every step after the receipt, with op2 and op1 taking turns.
async fn run_until_from(app: &TestApp, site: &crate::batch_support::Site, batch: &str, coi: &str) {
    for (i, step) in crate::batch_support::STEPS.iter().enumerate().skip(1) {
        let (performer, verifier) = if i % 2 == 0 {
            (&site.op1, &site.op2)
        } else {
            (&site.op2, &site.op1)
        };
        let recorded = record(app, performer, batch, step, site.values(step), Some(coi)).await;
        assert_eq!(recorded.status(), 201, "{step}");
        if *step != "expansion" {
            assert_eq!(
                verify(app, verifier, batch, step).await.status(),
                200,
                "verify {step}"
            );
        }
    }
}
