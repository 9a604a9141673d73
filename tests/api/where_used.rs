//! Recall: `GET /api/v1/lots/{lot_id}/where-used` names every batch (and patient) whose steps
//! used a lot, from a projection that verify checks and rebuild-projections remakes.

use cartrec::db::schema::lot_usage;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::batch_support::{create_batch, record, site, verify, Site};
use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::materials::{register_lot, release_lot};

async fn where_used(app: &TestApp, who: &TestUser, lot_id: &str) -> reqwest::Response {
    app.get(
        &format!("/api/v1/lots/{lot_id}/where-used"),
        Some(&who.token),
    )
    .await
}

async fn traced(app: &TestApp, who: &TestUser, lot_id: &str) -> Value {
    let response = where_used(app, who, lot_id).await;
    assert_eq!(response.status(), 200, "where-used {lot_id}");
    response.json().await.expect("JSON")
}

fn numbers(found: &Value) -> Vec<&str> {
    found["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|b| b["batch_number"].as_str().expect("number"))
        .collect()
}

struct Made {
    number: String,
    coi: String,
    /// The `batch.step_recorded` entry of selection and activation.
    selection_seq: i64,
}

/// A batch with apheresis receipt and selection/activation recorded and verified, its culture
/// medium from `medium_lot`.
async fn batch_with_medium(app: &TestApp, site: &Site, medium_lot: &str) -> Made {
    let created = create_batch(app, &site.op1, None).await;
    let number = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let receipt = site.values("apheresis_receipt");
    let recorded = record(
        app,
        &site.op1,
        &number,
        "apheresis_receipt",
        receipt,
        Some(&coi),
    )
    .await;
    assert_eq!(recorded.status(), 201, "apheresis receipt");
    assert_eq!(
        verify(app, &site.op2, &number, "apheresis_receipt")
            .await
            .status(),
        200
    );
    let mut values = site.values("selection_activation");
    values["medium_lot"] = json!(medium_lot);
    let step = "selection_activation";
    let recorded = record(app, &site.op2, &number, step, values, Some(&coi)).await;
    assert_eq!(recorded.status(), 201, "selection and activation");
    let view: Value = recorded.json().await.expect("JSON");
    let selection_seq = view["steps"][1]["records"][0]["seq"].as_i64().expect("seq");
    assert_eq!(verify(app, &site.op1, &number, step).await.status(), 200);
    Made {
        number,
        coi,
        selection_seq,
    }
}

fn assert_verify_passes(app: &TestApp) {
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
}

/// Covers: GMP-MAT-5, GMP-EVT-3
#[tokio::test]
async fn where_used_names_exactly_the_batches_that_used_the_lot_and_survives_a_rebuild() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let lot_a = site.lot("culture_medium");
    let lot_b = register_lot(&app, &site.qa, "culture_medium", "2099-12-31").await;
    assert_eq!(release_lot(&app, &site.qa, &lot_b).await.status(), 200);
    let first = batch_with_medium(&app, &site, &lot_a).await;
    let second = batch_with_medium(&app, &site, &lot_a).await;
    let third = batch_with_medium(&app, &site, &lot_b).await;
    // The state shown is the batch list's: put the second batch on hold.
    let held = app
        .post(
            &format!("/api/v1/batches/{}/hold", second.number),
            Some(&site.qa.token),
            &json!({ "reason": "sterility of the apheresis bag in question",
                     "signature": { "password": site.qa.password, "meaning": "approved" } }),
        )
        .await;
    assert_eq!(held.status(), 200, "held");

    let found = traced(&app, &auditor, &lot_a).await;
    assert_eq!(found["lot_id"], lot_a.as_str());
    assert_eq!(found["material"], "culture_medium");
    assert_eq!(found["status"], "released");
    assert_eq!(numbers(&found), [&first.number, &second.number]);
    let listed: Value = app
        .get("/api/v1/batches", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    for (batch, made) in found["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .zip([&first, &second])
    {
        assert_eq!(batch["patient_code"], "ER-LUP-007");
        assert_eq!(batch["coi"], made.coi.as_str());
        let row = listed["batches"]
            .as_array()
            .expect("list")
            .iter()
            .find(|b| b["batch_number"] == made.number.as_str())
            .expect("listed");
        assert_eq!(batch["state"], row["state"]);
        assert_eq!(
            batch["uses"],
            json!([{ "step_id": "selection_activation", "record": 1,
                     "field_id": "medium_lot", "seq": made.selection_seq }])
        );
    }
    assert_eq!(found["batches"][1]["state"], "on_hold");
    assert_ne!(found["batches"][0]["state"], "on_hold");

    let other = traced(&app, &site.qa, &lot_b).await;
    assert_eq!(numbers(&other), [&third.number]);
    assert_eq!(other["batches"][0]["uses"][0]["seq"], third.selection_seq);
    // A lot every batch used is traced to all three.
    let kit = traced(&app, &site.qa, &site.lot("cd4_cd8_enrichment_kit")).await;
    assert_eq!(
        numbers(&kit),
        [&first.number, &second.number, &third.number]
    );
    assert_eq!(
        kit["batches"][2]["uses"][0]["field_id"],
        "enrichment_kit_lot"
    );

    // A correction that names another lot traces the batch to it too; the first stays.
    let corrected = app
        .post(
            &format!("/api/v1/batches/{}/corrections", third.number),
            Some(&site.op2.token),
            &json!({ "step_id": "selection_activation", "record": 1, "field_id": "medium_lot",
                     "value": lot_a, "reason": "the medium came from the other lot",
                     "signature": { "password": site.op2.password, "meaning": "performed" } }),
        )
        .await;
    assert_eq!(corrected.status(), 201, "corrected");
    let found = traced(&app, &auditor, &lot_a).await;
    assert_eq!(
        numbers(&found),
        [&first.number, &second.number, &third.number]
    );
    let correction_seq = found["batches"][2]["uses"][0]["seq"].as_i64().expect("seq");
    assert!(correction_seq > third.selection_seq);
    assert_eq!(
        numbers(&traced(&app, &auditor, &lot_b).await),
        [&third.number]
    );

    // The projection is checked against the ledger, and rebuilt from it.
    assert_verify_passes(&app);
    diesel::delete(lot_usage::table.filter(lot_usage::batch_number.eq(&first.number)))
        .execute(&mut app.db.connect())
        .expect("a database user deletes the rows");
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("projection row missing (the ledger has it): lot_usage"),
        "{stdout}"
    );
    let report: Value = app
        .get("/api/v1/ledger/verify", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(report["ok"], false, "{report}");
    let rebuilt = app.run_cli(&["rebuild-projections"]);
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert_verify_passes(&app);
    assert_eq!(traced(&app, &auditor, &lot_a).await, found);
    let report: Value = app
        .get("/api/v1/ledger/verify", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(report["ok"], true, "{report}");
}

/// Covers: P11-10g
#[tokio::test]
async fn an_unknown_lot_is_not_found_an_unused_one_has_no_batches_and_operators_may_not_ask() {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let qp = app.user_with_roles(&["qp"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let (status, body) = problem(where_used(&app, &qa, "L999999").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("lot_not_found"))
    );
    let lot_id = register_lot(&app, &qa, "cytokine", "2099-12-31").await;
    let found = traced(&app, &qp, &lot_id).await;
    assert_eq!(
        found,
        json!({ "lot_id": lot_id, "material": "cytokine", "status": "quarantine",
                "batches": [] })
    );
    let (status, _) = problem(where_used(&app, &operator, &lot_id).await).await;
    assert_eq!(status.as_u16(), 403);
}
