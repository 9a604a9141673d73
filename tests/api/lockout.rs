//! Lock-out: consecutive wrong passwords lock an account, visibly in the ledger; the lock runs
//! out or an administrator lifts it.

use cartrec::db::schema::users;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, TestUser};

async fn fail_logins(app: &TestApp, user: &TestUser, times: usize) -> Vec<Value> {
    let mut bodies = Vec::new();
    for _ in 0..times {
        bodies.push(
            problem(app.login(&user.username, "wrong-password-guess").await)
                .await
                .1,
        );
    }
    bodies
}

async fn kinds(app: &TestApp, auditor: &TestUser, user: &TestUser) -> Vec<String> {
    let stream = format!("user/{}", user.username);
    app.ledger_entries(auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The lock as an administrator sees it.
async fn locked_until(app: &TestApp, user: &TestUser) -> Option<String> {
    let users: Value = app
        .get("/api/v1/users", Some(&app.admin.token))
        .await
        .json()
        .await
        .expect("JSON");
    users["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == user.username.as_str())
        .and_then(|u| u["locked_until"].as_str().map(str::to_owned))
}

/// Covers: P11-300d-1
#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let user = app.user_with_roles(&["operator"]).await;
    let locked_at = chrono::Utc::now().naive_utc();
    let answers = fail_logins(&app, &user, 5).await;
    // A guesser learns nothing, not even that the account is now locked.
    assert!(answers.iter().all(|b| b["code"] == "invalid_credentials"));
    assert_eq!(
        fail_logins(&app, &user, 1).await[0]["code"],
        "invalid_credentials"
    );
    // The right password gets the very same answer as a wrong one: no "locked", no unlock
    // time, nothing a guesser could tell a right guess by.
    let (status, right) = problem(app.login(&user.username, &user.password).await).await;
    let (_, wrong) = problem(app.login(&user.username, "another-wrong-guess").await).await;
    assert_eq!(status, 401);
    assert_eq!(right, wrong);
    assert_eq!(right["code"], "invalid_credentials");
    let text = right.to_string();
    assert!(!text.contains("lock") && !text.contains("UTC"), "{text}");
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        401,
        "a lock ends sessions"
    );
    // Locked for the configured 15 minutes.
    let users: Value = app
        .get("/api/v1/users", Some(&app.admin.token))
        .await
        .json()
        .await
        .expect("JSON");
    let row = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == user.username.as_str())
        .cloned()
        .expect("listed");
    let until = chrono::NaiveDateTime::parse_from_str(
        row["locked_until"].as_str().expect("locked"),
        "%Y-%m-%dT%H:%M:%S%.f",
    )
    .expect("time");
    let minutes = (until - locked_at).num_seconds() as f64 / 60.0;
    assert!(
        (14.9..15.2).contains(&minutes),
        "locked for {minutes} minutes"
    );
    let kinds = kinds(&app, &auditor, &user).await;
    let tail: Vec<&str> = kinds
        .iter()
        .rev()
        .take(9)
        .rev()
        .map(String::as_str)
        .collect();
    // Five failures, the lock, then every attempt during the lock, recorded.
    let failed = "user.login_failed";
    assert_eq!(
        tail,
        [
            failed,
            failed,
            failed,
            failed,
            failed,
            "user.locked",
            failed,
            failed,
            failed
        ]
    );
    let during_lock: Vec<Value> = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == format!("user/{}", user.username).as_str())
        .rev()
        .take(3)
        .collect();
    assert!(during_lock
        .iter()
        .all(|e| e["payload"]["reason"] == "account_locked"));
}

/// Covers: P11-300d-1, A11-12.3
#[tokio::test]
async fn an_admin_unlocks_early_and_that_is_recorded() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let user = app.user_with_roles(&["qa"]).await;
    fail_logins(&app, &user, 5).await;
    let path = format!("/api/v1/users/{}/unlock", user.username);
    let unlocked: Value = app
        .post(&path, Some(&app.admin.token), &json!({}))
        .await
        .json()
        .await
        .expect("JSON");
    assert!(unlocked["locked_until"].is_null());
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        200
    );
    let (status, body) = problem(app.post(&path, Some(&app.admin.token), &json!({})).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("not_locked"))
    );
    let entries = app.ledger_entries(&auditor).await;
    let unlock = entries
        .iter()
        .find(|e| e["kind"] == "user.unlocked")
        .expect("unlock recorded");
    assert_eq!(unlock["actor"], "admin");
    assert_eq!(unlock["payload"]["reason"], "admin");
}

/// Covers: P11-300d-1
#[tokio::test]
async fn a_lock_runs_out_after_the_configured_time() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let user = app.user_with_roles(&["qc_analyst"]).await;
    fail_logins(&app, &user, 5).await;
    // Fifteen minutes pass.
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    diesel::update(users::table.find(&user.username))
        .set(users::locked_until.eq(Some(past)))
        .execute(&mut app.db.connect())
        .expect("clock moved");
    // The row carries a seal over the lock (a change behind cartrec's back grants nothing):
    // the test moves the clock as cartrec would see it, so it seals the row again.
    app.reseal_user(&user.username);
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        200
    );
    let entries = app.ledger_entries(&auditor).await;
    let unlock = entries
        .iter()
        .find(|e| e["kind"] == "user.unlocked")
        .expect("expiry recorded");
    assert_eq!(unlock["payload"]["reason"], "lock_expired");
}

/// Covers: P11-300d-1, GMP-SIG-1
#[tokio::test]
async fn wrong_signature_and_password_change_attempts_count_toward_the_lock() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qa"]).await;
    fail_logins(&app, &user, 3).await;
    let wrong_change = json!({ "current_password": "not-the-current-one", "new_password": "Whatever-orbit-violin-31" });
    let (_, body) = problem(
        app.post("/api/v1/auth/password", Some(&user.token), &wrong_change)
            .await,
    )
    .await;
    assert_eq!(body["code"], "wrong_password");
    let (status, body) = problem(
        app.post(
            "/api/v1/ledger/entries/0/signatures",
            Some(&user.token),
            &json!({ "signature": { "password": "still-wrong-password", "meaning": "reviewed" } }),
        )
        .await,
    )
    .await;
    // The signer holds a session, so it may learn of the lock its own attempt caused.
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (401, Some("account_locked"))
    );
    assert_eq!(
        problem(app.login(&user.username, &user.password).await)
            .await
            .1["code"],
        "invalid_credentials"
    );
    assert!(locked_until(&app, &user).await.is_some());
}

/// Covers: P11-300d-1
#[tokio::test]
async fn a_right_password_resets_the_count() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    fail_logins(&app, &user, 4).await;
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        200
    );
    let answers = fail_logins(&app, &user, 4).await;
    assert!(answers.iter().all(|b| b["code"] == "invalid_credentials"));
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        200
    );
}

/// Covers: P11-300d-1
#[tokio::test]
async fn the_threshold_is_configurable() {
    let app = spawn_app_with(|settings| settings.lockout_threshold = 3).await;
    let user = app.user_with_roles(&["operator"]).await;
    fail_logins(&app, &user, 2).await;
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        200
    );
    assert!(locked_until(&app, &user).await.is_none());
    fail_logins(&app, &user, 3).await;
    let (_, body) = problem(app.login(&user.username, &user.password).await).await;
    assert_eq!(body["code"], "invalid_credentials");
    assert!(locked_until(&app, &user).await.is_some());
}

/// Covers: GMP-SIG-1
#[tokio::test]
async fn a_right_signature_ends_the_run_of_wrong_ones() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qa"]).await;
    let sign = |password: &str| {
        let body = json!({ "signature": { "password": password, "meaning": "reviewed" } });
        let (app, token) = (&app, user.token.clone());
        async move {
            app.post("/api/v1/ledger/entries/0/signatures", Some(&token), &body)
                .await
        }
    };
    for _ in 0..4 {
        assert_eq!(sign("a-typo-in-the-password").await.status(), 403);
    }
    assert_eq!(sign(&user.password).await.status(), 201);
    // Four more typos later in the day: the count began again, so no lock.
    for _ in 0..4 {
        let (status, body) = problem(sign("another-typo-here").await).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (403, Some("signature_password_wrong"))
        );
    }
    assert!(locked_until(&app, &user).await.is_none());
    let verify = app.run_cli(&["verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
