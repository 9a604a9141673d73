//! A read-only instance writes again only after QA has recorded the incident and an
//! administrator has confirmed it, both signed, while the whole ledger verifies; a restart
//! does not forget the distrust, and someone with access to the database alone cannot end it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::authenticity::{put_row, restart, roles_and_seal, try_a_write};
use crate::helpers::{problem, spawn_app, TestApp, TestUser};

/// Makes the instance distrust its ledger the way an insider would: a role added to the
/// operator's `users` row, its seal kept. Returns the row as it was, to put it right later.
async fn edit_a_users_row(app: &TestApp, operator: &TestUser) -> (String, Option<String>) {
    let mut conn = app.db.connect();
    let (roles, seal) = roles_and_seal(&mut conn, &operator.username);
    put_row(&mut conn, &operator.username, "admin", seal.as_deref());
    let (status, body) = problem(app.get("/api/v1/users/me", Some(&operator.token)).await).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified", "{body}");
    (roles, seal)
}

fn signature(user: &TestUser, meaning: &str) -> Value {
    json!({ "password": user.password, "meaning": meaning })
}

async fn post(address: &str, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{address}{path}"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn record(address: &str, qa: &TestUser) -> (StatusCode, Value) {
    let body = json!({
        "cause": "A database administrator added a role to an account's row by hand",
        "actions": "The row was put back as cartrec sealed it; the ledger verified in full",
        "signature": signature(qa, "approved"),
    });
    post(address, "/api/v1/ledger/incidents", &qa.token, &body).await
}

async fn confirm(address: &str, admin: &TestUser, password: &str) -> (StatusCode, Value) {
    let body = json!({ "signature": { "password": password, "meaning": "verified" } });
    post(
        address,
        "/api/v1/ledger/incidents/confirm",
        &admin.token,
        &body,
    )
    .await
}

async fn incidents(address: &str, reader: &TestUser) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{address}/api/v1/ledger/incidents"))
        .bearer_auth(&reader.token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

/// Polls until the restarted instance's background verification has passed: its writes are
/// then refused as `ledger_incident_open`, no longer as `ledger_unverified`.
async fn verified_again(address: &str, admin: &TestUser) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, body) = try_a_write(address, admin).await;
        assert_eq!(status, 503, "{body}");
        if body["code"] == "ledger_incident_open" {
            return body;
        }
        assert_eq!(body["code"], "ledger_unverified", "{body}");
        assert!(std::time::Instant::now() < deadline, "never verified again");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The whole path: no incident while the row is still edited; once it is put right, QA
/// records the incident, nobody but an administrator confirms it, and writing resumes.
///
/// Covers: A11-13, GMP-LED-15
#[tokio::test]
async fn a_read_only_instance_writes_again_once_qa_records_and_an_administrator_confirms_the_incident(
) {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let (roles, seal) = edit_a_users_row(&app, &operator).await;

    let (status, body) = record(&app.address, &qa).await;
    assert_eq!(status, 409, "not while the row is still edited: {body}");
    assert_eq!(body["code"], "ledger_still_unverified", "{body}");

    put_row(
        &mut app.db.connect(),
        &operator.username,
        &roles,
        seal.as_deref(),
    );
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(
        status, 503,
        "a row put right does not end the incident: {body}"
    );
    let (status, body) = confirm(&app.address, &app.admin, &app.admin.password).await;
    assert_eq!(status, 409, "nothing to confirm yet: {body}");
    assert_eq!(body["code"], "incident_not_recorded", "{body}");

    let (status, recorded) = record(&app.address, &qa).await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["recorded_by"], qa.username.as_str());
    assert!(
        recorded["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(&operator.username),
        "the instance's own finding is recorded: {recorded}"
    );
    let (status, body) = record(&app.address, &qa).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "incident_already_recorded", "{body}");

    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_incident_open", "{body}");
    let checkpoint = app
        .client
        .post(app.url("/api/v1/ledger/checkpoint"))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .expect("sent");
    let (status, body) = problem(checkpoint).await;
    assert_eq!(
        status, 503,
        "no checkpoint while the incident is open: {body}"
    );
    assert_eq!(body["code"], "ledger_incident_open", "{body}");
    let (status, body) = confirm(&app.address, &qa, &qa.password).await;
    assert_eq!(status, 403, "QA cannot confirm its own record: {body}");
    assert_eq!(body["code"], "incident_confirmer_not_admin", "{body}");
    let (status, body) = confirm(&app.address, &app.admin, "not the password").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "signature_password_wrong", "{body}");
    let (status, body) = post(
        &app.address,
        "/api/v1/ledger/incidents",
        &auditor.token,
        &json!({ "cause": "x", "actions": "y", "signature": signature(&auditor, "approved") }),
    )
    .await;
    assert_eq!(
        status, 403,
        "auditors read incidents, never record them: {body}"
    );

    let (status, confirmed) = confirm(&app.address, &app.admin, &app.admin.password).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["confirmed_by"], app.admin.username.as_str());
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 201, "writing resumes: {body}");

    let seen = incidents(&app.address, &auditor).await;
    assert!(seen["read_only"].is_null(), "{seen}");
    assert_eq!(
        seen["incidents"].as_array().map(Vec::len),
        Some(1),
        "{seen}"
    );
    let signatures = app
        .get(
            &format!(
                "/api/v1/ledger/entries/{}/signatures",
                recorded["recorded_seq"]
            ),
            Some(&auditor.token),
        )
        .await;
    let signatures: Value = signatures.json().await.expect("JSON");
    let meanings: Vec<&str> = signatures["signatures"]
        .as_array()
        .expect("signatures")
        .iter()
        .filter_map(|s| s["meaning"].as_str())
        .collect();
    assert_eq!(meanings, ["approved", "verified"], "{signatures}");
    let output = app.run_cli(&["verify"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// A restart does not forget the distrust: the file in the data directory keeps it, so the
/// restarted instance signs people in but records nothing else until the incident is
/// recorded and confirmed, even though its ledger verifies.
///
/// Covers: GMP-LED-15
#[tokio::test]
async fn a_restart_keeps_the_instance_read_only_until_the_incident_is_confirmed() {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let (roles, seal) = edit_a_users_row(&app, &operator).await;
    let kept = app.data_dir.path().join("ledger-distrust.json");
    assert!(kept.exists(), "the distrust is kept on disk");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    put_row(
        &mut app.db.connect(),
        &operator.username,
        &roles,
        seal.as_deref(),
    );

    let restarted = restart(&app).await;
    let refused = verified_again(&restarted, &app.admin).await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&operator.username),
        "{refused}"
    );
    let login = reqwest::Client::new()
        .post(format!("{restarted}/api/v1/auth/login"))
        .json(&json!({ "username": qa.username, "password": qa.password }))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        login.status(),
        200,
        "people can sign in to record the incident"
    );

    let (status, body) = record(&restarted, &qa).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = confirm(&restarted, &app.admin, &app.admin.password).await;
    assert_eq!(status, 200, "{body}");
    assert!(!kept.exists(), "the distrust is lifted on disk too");
    let (status, body) = try_a_write(&restarted, &app.admin).await;
    assert_eq!(status, 201, "{body}");
}

/// The same in the browser: the banner leads QA to the incident, whose record refuses an empty
/// cause beside the field; an administrator then confirms it, and the banner goes.
///
/// Covers: GMP-LED-15
#[tokio::test]
async fn qa_and_an_administrator_put_the_instance_back_to_work_from_the_banner() {
    let app = spawn_app().await;
    let Some(b) = crate::browser::browser(&app.address).await else {
        return;
    };
    let qa = app.user_with_roles(&["qa"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    // Signed in before: an unverified instance refuses new sign-ins.
    b.log_in(&qa.username, &qa.password).await;
    let (roles, seal) = edit_a_users_row(&app, &operator).await;
    put_row(
        &mut app.db.connect(),
        &operator.username,
        &roles,
        seal.as_deref(),
    );

    b.open("/").await;
    b.click("#ledger-incident-link").await;
    assert!(b
        .text("#incident-finding")
        .await
        .contains(&operator.username));
    b.assert_accessible().await;
    b.click("#incident-record").await;
    b.type_into("#actions", "The row was put back as cartrec sealed it")
        .await;
    b.type_into("#password", &qa.password).await;
    b.click("#sign").await;
    assert!(
        b.has("#cause-error").await,
        "the empty cause is named beside it"
    );
    b.type_into("#cause", "A role was added to an account's row by hand")
        .await;
    b.type_into("#password", &qa.password).await;
    b.click("#sign").await;
    assert!(b.has("#notice").await, "recorded: {}", b.path().await);
    assert!(b.has("#incident-open").await);
    let banner = b.text("#ledger-alarm").await;
    assert!(banner.contains("verifies again"), "{banner}");
    b.screenshot("ledger-incident-recorded").await;
    b.log_out().await;

    b.log_in(&app.admin.username, &app.admin.password).await;
    b.open("/ledger/incident").await;
    b.click("#incident-confirm").await;
    b.assert_accessible().await;
    b.type_into("#password", &app.admin.password).await;
    b.click("#sign").await;
    assert!(b.has("#notice").await, "confirmed: {}", b.path().await);
    assert!(b.has("#incident-trusted").await);
    assert!(!b.has("#ledger-alarm").await, "the banner is gone");
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 201, "{body}");
}
