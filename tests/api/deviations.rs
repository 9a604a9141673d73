//! Deviations (automatic and by hand) classified and closed by QA; holds and termination.

use serde_json::{json, Value};

use crate::batch_support::{create_batch, record, site};
use crate::helpers::{problem, spawn_app};

/// Covers: GMP-DEV-3
#[tokio::test]
async fn an_out_of_range_deviation_is_classified_and_closed_by_qa_with_a_signature() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let mut values = site.values("apheresis_receipt");
    values["transport_temperature"] = json!("11.5");
    assert_eq!(
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            values,
            Some(&coi)
        )
        .await
        .status(),
        201
    );
    let path = format!("/api/v1/batches/{batch}/deviations/1");
    let close = json!({ "investigation": "courier delay, logger shows 2 h at 11 °C",
                        "root_cause": "ice packs not pre-conditioned", "capa_ref": "CAPA-2026-031",
                        "signature": { "password": site.qa.password, "meaning": "approved" } });
    let (status, body) = problem(
        app.post(&format!("{path}/close"), Some(&site.qa.token), &close)
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("deviation_not_classified"))
    );
    let (status, _) = problem(
        app.post(
            &format!("{path}/classify"),
            Some(&site.op1.token),
            &json!({ "classification": "minor" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    let classified: Value = app
        .post(
            &format!("{path}/classify"),
            Some(&site.qa.token),
            &json!({ "classification": "major" }),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(classified["deviations"][0]["classification"], "major");
    let closed = app
        .post(&format!("{path}/close"), Some(&site.qa.token), &close)
        .await;
    assert_eq!(closed.status(), 200);
    let closed: Value = closed.json().await.expect("JSON");
    let deviation = &closed["deviations"][0];
    assert_eq!(deviation["state"], "closed");
    assert_eq!(deviation["closure"]["capa_ref"], "CAPA-2026-031");
    assert_eq!(deviation["closure"]["closed_by"], site.qa.username.as_str());
    let (status, body) = problem(
        app.post(&format!("{path}/close"), Some(&site.qa.token), &close)
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("deviation_closed"))
    );
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/batches/{batch}/deviations/9/classify"),
            Some(&site.qa.token),
            &json!({ "classification": "minor" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("deviation_not_found"))
    );
    let verify = app.run_cli(&["verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// Covers: GMP-DEV-2
#[tokio::test]
async fn operators_raise_deviations_by_hand_and_qc_analysts_cannot() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let qc = app.user_with_roles(&["qc_analyst"]).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let path = format!("/api/v1/batches/{batch}/deviations");
    let body =
        json!({ "description": "bag label smudged at receipt", "step_id": "apheresis_receipt" });
    let raised = app.post(&path, Some(&site.op2.token), &body).await;
    assert_eq!(raised.status(), 201);
    let raised: Value = raised.json().await.expect("JSON");
    assert_eq!(raised["deviations"][0]["automatic"], false);
    assert_eq!(
        raised["deviations"][0]["raised_by"],
        site.op2.username.as_str()
    );
    assert_eq!(app.post(&path, Some(&qc.token), &body).await.status(), 403);
    let (_, problem_body) = problem(
        app.post(
            &path,
            Some(&site.op2.token),
            &json!({ "description": "x", "step_id": "no_such_step" }),
        )
        .await,
    )
    .await;
    assert_eq!(problem_body["code"], "step_not_found");
}

/// Covers: GMP-BAT-2
#[tokio::test]
async fn a_held_batch_takes_no_record_until_resumed_and_a_terminated_one_never() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let signed = |reason: &str| json!({ "reason": reason, "signature": { "password": site.qa.password, "meaning": "approved" } });
    let held: Value = app
        .post(
            &format!("/api/v1/batches/{batch}/hold"),
            Some(&site.qa.token),
            &signed("sterility of the apheresis bag in question"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(held["state"], "on_hold");
    let receipt = || {
        record(
            &app,
            &site.op1,
            &batch,
            "apheresis_receipt",
            site.values("apheresis_receipt"),
            Some(&coi),
        )
    };
    let (status, body) = problem(receipt().await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("batch_on_hold"))
    );
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/batches/{batch}/hold"),
            Some(&site.qa.token),
            &signed("again"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("batch_on_hold"))
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/batches/{batch}/resume"),
            Some(&site.qa.token),
            &signed("bag cleared by QC")
        )
        .await
        .status(),
        200
    );
    assert_eq!(receipt().await.status(), 201);
    let terminated: Value = app
        .post(
            &format!("/api/v1/batches/{batch}/terminate"),
            Some(&site.qa.token),
            &signed("patient withdrew consent"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(terminated["state"], "terminated");
    for path in ["hold", "resume", "terminate"] {
        let (status, body) = problem(
            app.post(
                &format!("/api/v1/batches/{batch}/{path}"),
                Some(&site.qa.token),
                &signed("x"),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (409, Some("batch_terminated")),
            "{path}"
        );
    }
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/batches/{batch}/steps/apheresis_receipt/verify"),
            Some(&site.op2.token),
            &json!({ "signature": { "password": site.op2.password, "meaning": "verified" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("batch_terminated"))
    );
    let (status, _) = problem(
        app.post(
            &format!("/api/v1/batches/{batch}/hold"),
            Some(&site.op1.token),
            &signed("x"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
}
