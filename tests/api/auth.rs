//! Authentication from the attacker's side: guessing, forged and expired tokens, dead sessions.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, token_claims, TestApp};

/// Covers: P11-300d-2
#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let app = spawn_app().await;
    let (status_wrong, wrong) = problem(app.login("admin", "not-the-password-at-all").await).await;
    let (status_unknown, unknown) =
        problem(app.login("nobody", "not-the-password-at-all").await).await;
    assert_eq!(status_wrong, 401);
    assert_eq!(status_unknown, 401);
    assert_eq!(wrong, unknown);
    let (status_invalid, invalid) = problem(app.login("NOT VALID!", "x").await).await;
    assert_eq!(status_invalid, 401);
    assert_eq!(invalid, wrong);
}

/// Covers: P11-300d-2, P11-10e-1
#[tokio::test]
async fn every_login_attempt_is_a_ledger_event() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    app.login(&auditor.username, "wrong-password-here").await;
    app.login("ghost", "wrong-password-here").await;
    let entries = app.ledger_entries(&auditor).await;
    let stream = format!("user/{}", auditor.username);
    let kinds: Vec<&str> = entries
        .iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "user.created",
            "user.login_succeeded",
            "user.password_changed",
            "user.login_succeeded",
            "user.acknowledged",
            "signature.applied",
            "user.roles_approved",
            "signature.applied",
            "user.login_failed"
        ]
    );
    let unknown = entries.last().expect("entries");
    assert_eq!(unknown["stream"], "system");
    assert_eq!(unknown["kind"], "auth.login_failed");
    assert!(
        unknown["payload"].get("username").is_none(),
        "typed names are hashed"
    );
}

/// Covers: P11-10d-1
#[tokio::test]
async fn requests_without_a_token_get_401() {
    let app = spawn_app().await;
    let (status, body) = problem(app.get("/api/v1/users", None).await).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "missing_token");
    let garbage = app.get("/api/v1/users", Some("not.a.jwt")).await;
    assert_eq!(garbage.status(), 401);
}

fn claims_for(app: &TestApp, token: &str) -> Value {
    let claims = token_claims(token);
    assert_eq!(claims["sub"], app.admin.username.as_str());
    claims
}

fn real_secret(app: &TestApp) -> Vec<u8> {
    let text =
        std::fs::read_to_string(app.data_dir.path().join("jwt.secret")).expect("secret file");
    STANDARD.decode(text.trim()).expect("base64 secret")
}

/// Covers: P11-10d-1
#[tokio::test]
async fn a_token_signed_with_another_secret_or_algorithm_is_refused() {
    let app = spawn_app().await;
    let claims = claims_for(&app, &app.admin.token);
    let real = EncodingKey::from_secret(&real_secret(&app));
    let forged = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(b"another secret, 32 bytes long!!!"),
    )
    .expect("encodes");
    assert_eq!(app.get("/api/v1/users", Some(&forged)).await.status(), 401);
    // The right secret under another algorithm: only HS256 is accepted.
    let hs512 =
        encode(&Header::new(jsonwebtoken::Algorithm::HS512), &claims, &real).expect("encodes");
    assert_eq!(app.get("/api/v1/users", Some(&hs512)).await.status(), 401);
    // The same claims with the real secret and algorithm pass: the test forges nothing else.
    let genuine = encode(&Header::default(), &claims, &real).expect("encodes");
    assert_eq!(app.get("/api/v1/users", Some(&genuine)).await.status(), 200);
}

/// Covers: P11-10d-1
#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = spawn_app().await;
    let claims = claims_for(&app, &app.admin.token);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
        assert_eq!(app.get("/api/v1/users", Some(&token)).await.status(), 401);
    }
}

/// Covers: P11-10d-1
#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let mut claims = claims_for(&app, &app.admin.token);
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 10); // past, and beyond the 5 s leeway
    let expired = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(&real_secret(&app)),
    )
    .expect("encodes");
    let (status, body) = problem(app.get("/api/v1/users", Some(&expired)).await).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_token");
}

/// Covers: GMP-ACC-1, P11-10d-2
#[tokio::test]
async fn a_deactivated_users_token_stops_working_at_once() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    assert_eq!(
        app.get("/api/v1/users/me", Some(&operator.token))
            .await
            .status(),
        200
    );
    let deactivated = app
        .post(
            &format!("/api/v1/users/{}/deactivate", operator.username),
            Some(&app.admin.token),
            &json!({ "reason": "left the hospital" }),
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    assert_eq!(
        app.get("/api/v1/users/me", Some(&operator.token))
            .await
            .status(),
        401
    );
    let (status, _) = problem(app.login(&operator.username, &operator.password).await).await;
    assert_eq!(status, 401);
}

/// Covers: P11-300c
#[tokio::test]
async fn a_temporary_password_allows_nothing_but_changing_it() {
    let app = spawn_app().await;
    let (username, temporary) = app.create_user(&["admin"]).await;
    let login: Value = app
        .login(&username, &temporary)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(login["must_change_password"], true);
    let token = login["access_token"].as_str().expect("token");
    let (status, body) = problem(app.get("/api/v1/users", Some(token)).await).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "password_change_required");
    assert_eq!(app.get("/api/v1/users/me", Some(token)).await.status(), 200);
}

/// Covers: P11-10d-2
#[tokio::test]
async fn changing_the_password_ends_every_session_and_needs_the_old_one() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qa"]).await;
    let second_session = app.login_token(&user.username, &user.password).await;
    let (status, body) = problem(
        app.post(
            "/api/v1/auth/password",
            Some(&user.token),
            &json!({ "current_password": "a-wrong-current-password", "new_password": "Another-long-passphrase-9" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "wrong_password");
    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&user.token),
            &json!({ "current_password": user.password, "new_password": "Another-long-passphrase-9" }),
        )
        .await;
    assert_eq!(changed.status(), 204);
    for token in [&user.token, &second_session] {
        assert_eq!(app.get("/api/v1/users/me", Some(token)).await.status(), 401);
    }
    assert_eq!(
        app.login(&user.username, &user.password).await.status(),
        401
    );
    assert_eq!(
        app.login(&user.username, "Another-long-passphrase-9")
            .await
            .status(),
        200
    );
}

/// Covers: P11-10d-2
#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&user.token), &json!({}))
            .await
            .status(),
        204
    );
    let (status, body) = problem(app.get("/api/v1/users/me", Some(&user.token)).await).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "session_ended");
}

/// Covers: P11-10a-2
#[tokio::test]
async fn malformed_login_bodies_get_400_problem_json() {
    let app = spawn_app().await;
    for body in [
        "{",
        "[]",
        r#"{"username": 1, "password": "x"}"#,
        r#"{"username": "a"}"#,
    ] {
        let response = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let (status, _) = problem(response).await;
        assert_eq!(status, 400, "{body}");
    }
    // A wrong type is described without echoing the value, which may be a password.
    let numeric = json!({ "username": "admin", "password": 90817263544u64 });
    let (status, body) = problem(app.post("/api/v1/auth/login", None, &numeric).await).await;
    assert_eq!(status, 400);
    assert!(!body.to_string().contains("90817263544"), "{body}");
    let huge = json!({ "username": "x".repeat(2 * 1024 * 1024), "password": "x" });
    let (status, body) = problem(app.post("/api/v1/auth/login", None, &huge).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

/// Covers: P11-10d-1
#[tokio::test]
async fn a_token_for_another_issuer_or_audience_is_refused() {
    let app = spawn_app().await;
    let secret = EncodingKey::from_secret(&real_secret(&app));
    for (claim, value) in [("iss", "someone-else"), ("aud", "another-api")] {
        let mut claims = claims_for(&app, &app.admin.token);
        claims[claim] = json!(value);
        let token = encode(&Header::default(), &claims, &secret).expect("encodes");
        assert_eq!(
            app.get("/api/v1/users", Some(&token)).await.status(),
            401,
            "{claim}"
        );
    }
}
