//! Process templates: the shipped draft, imports of new versions (API and console), approval by
//! a QA person other than the importer, and the exact text kept.

use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, TestApp, TestUser};

const SHIPPED: &str = include_str!("../../templates/cd19-car-t-lentiviral.json");

fn version(n: u32) -> String {
    SHIPPED.replacen("\"version\": 1", &format!("\"version\": {n}"), 1)
}

async fn import(app: &TestApp, qa: &TestUser, text: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/templates"))
        .bearer_auth(&qa.token)
        .header("content-type", "application/json")
        .body(text.to_owned())
        .send()
        .await
        .expect("sent")
}

async fn approve(app: &TestApp, qa: &TestUser, version: u32) -> reqwest::Response {
    app.post(
        &format!("/api/v1/templates/cd19-car-t-lv/versions/{version}/approve"),
        Some(&qa.token),
        &json!({ "signature": { "password": qa.password, "meaning": "approved" } }),
    )
    .await
}

/// Covers: GMP-TPL-5
#[tokio::test]
async fn the_shipped_template_is_a_draft_kept_byte_for_byte() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let listed: Value = app
        .get("/api/v1/templates", Some(&operator.token))
        .await
        .json()
        .await
        .expect("JSON");
    let first = &listed["templates"][0];
    assert_eq!(
        (first["code"].as_str(), first["version"].as_i64()),
        (Some("cd19-car-t-lv"), Some(1))
    );
    assert_eq!(
        (first["status"].as_str(), first["imported_by"].as_str()),
        (Some("draft"), Some("system"))
    );
    let text = app
        .get(
            "/api/v1/templates/cd19-car-t-lv/versions/1",
            Some(&operator.token),
        )
        .await
        .text()
        .await
        .expect("text");
    assert_eq!(text, SHIPPED);
    assert_eq!(
        app.get(
            "/api/v1/templates/cd19-car-t-lv/versions/7",
            Some(&operator.token)
        )
        .await
        .status(),
        404
    );
}

/// Covers: GMP-TPL-1
#[tokio::test]
async fn a_new_version_supersedes_the_draft_and_is_approved_by_another_qa() {
    let app = spawn_app().await;
    let author = app.user_with_roles(&["qa"]).await;
    let reviewer = app.approver().await;
    assert_eq!(import(&app, &author, &version(2)).await.status(), 201);
    let listed: Value = app
        .get("/api/v1/templates", Some(&author.token))
        .await
        .json()
        .await
        .expect("JSON");
    let statuses: Vec<&str> = listed["templates"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["superseded", "draft"]);
    let (status, body) = problem(approve(&app, &author, 2).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("approver_imported_template"))
    );
    let (status, body) = problem(approve(&app, reviewer, 1).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("template_not_draft"))
    );
    let approved: Value = approve(&app, reviewer, 2).await.json().await.expect("JSON");
    assert_eq!(
        (
            approved["status"].as_str(),
            approved["approved_by"].as_str()
        ),
        (Some("approved"), Some(reviewer.username.as_str()))
    );
    let (status, body) = problem(import(&app, &author, &version(2)).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("template_version_exists"))
    );
    // A new batch is pinned to the approved version.
    let operator = app.user_with_roles(&["operator"]).await;
    let created = crate::batch_support::create_batch(&app, &operator, None).await;
    assert_eq!(created["template"]["version"], 2);
    // The console imports a draft too.
    let file = app.data_dir.path().join("v3.json");
    std::fs::write(&file, version(3)).expect("written");
    let output = app.run_cli(&["template", "import", file.to_str().expect("path")]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("version 3 as a draft"));
}

/// Covers: GMP-TPL-3
#[tokio::test]
async fn an_invalid_template_is_refused_naming_the_place() {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let broken = version(2).replacen("\"role\": \"operator\"", "\"role\": \"chef\"", 1);
    let (status, body) = problem(import(&app, &qa, &broken).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("invalid_template"))
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("stages[0].steps[0].role"),
        "{body}"
    );
    let (status, _) = problem(import(&app, &qa, "not json").await).await;
    assert_eq!(status, 422);
    let operator = app.user_with_roles(&["operator"]).await;
    assert_eq!(import(&app, &operator, &version(2)).await.status(), 403);
}

/// Covers: GMP-TPL-2
#[tokio::test]
async fn a_running_batch_keeps_its_template_version_when_a_later_one_is_approved() {
    let app = spawn_app().await;
    let site = crate::batch_support::site(&app).await;
    let running = crate::batch_support::create_batch(&app, &site.op1, None).await;
    let number = running["batch_number"].as_str().expect("number").to_owned();
    assert_eq!(running["template"]["version"], 1);
    let other_qa = app.user_with_roles(&["qa"]).await;
    assert_eq!(import(&app, &other_qa, &version(2)).await.status(), 201);
    assert_eq!(
        approve(&app, &site.qa, 2).await.status(),
        200,
        "v2 approved by another QA person"
    );
    let still: Value = app
        .get(&format!("/api/v1/batches/{number}"), Some(&site.op1.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        still["template"]["version"], 1,
        "the running batch keeps version 1"
    );
    let next = crate::batch_support::create_batch(&app, &site.op1, None).await;
    assert_eq!(
        next["template"]["version"], 2,
        "a new batch starts on version 2"
    );
}
