//! Sessions: idle and absolute expiry, refresh, logout; each takes effect on the next request.

use cartrec::db::schema::sessions;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, token_claims, TestApp, TestUser};

fn age_sessions(app: &TestApp, user: &TestUser, idle_for: Duration, expires_in: Duration) {
    let now = Utc::now().naive_utc();
    diesel::update(sessions::table.filter(sessions::username.eq(&user.username)))
        .set((
            sessions::last_seen_at.eq(now - idle_for),
            sessions::expires_at.eq(now + expires_in),
        ))
        .execute(&mut app.db.connect())
        .expect("sessions aged");
    // The expiry is sealed: moved here as the passing of time would, not as an attack.
    app.reseal_sessions(&user.username);
}

/// Covers: P11-10d-2
#[tokio::test]
async fn an_idle_session_ends() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    age_sessions(&app, &user, Duration::minutes(14), Duration::hours(7));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        200
    );
    age_sessions(&app, &user, Duration::minutes(16), Duration::hours(7));
    let (status, body) = problem(app.get("/api/v1/users/me", Some(&user.token)).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (401, Some("session_ended"))
    );
    // Ended for good, even if it were touched again.
    age_sessions(&app, &user, Duration::zero(), Duration::hours(7));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        401
    );
}

/// Covers: P11-10d-2
#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_even_when_busy() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qa"]).await;
    age_sessions(&app, &user, Duration::zero(), Duration::seconds(-1));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        401
    );
}

/// Covers: P11-10d-2
#[tokio::test]
async fn refresh_renews_the_token_of_a_live_session_only() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qp"]).await;
    let refreshed: Value = app
        .post("/api/v1/auth/refresh", Some(&user.token), &json!({}))
        .await
        .json()
        .await
        .expect("JSON");
    let token = refreshed["access_token"].as_str().expect("token");
    assert_eq!(app.get("/api/v1/users/me", Some(token)).await.status(), 200);
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(token), &json!({}))
            .await
            .status(),
        204
    );
    for token in [token, user.token.as_str()] {
        assert_eq!(
            app.post("/api/v1/auth/refresh", Some(token), &json!({}))
                .await
                .status(),
            401
        );
    }
}

/// Covers: P11-300c, P11-10d-2
#[tokio::test]
async fn an_admin_password_reset_ends_sessions_and_is_temporary() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let reset = app
        .post(
            &format!("/api/v1/users/{}/password", user.username),
            Some(&app.admin.token),
            &json!({}),
        )
        .await;
    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.expect("JSON");
    let temporary = reset["temporary_password"].as_str().expect("generated");
    // The administrator has seen the password: the roles wait for someone else's approval.
    assert_eq!(reset["roles"], json!([]));
    assert_eq!(reset["roles_pending"], json!(["operator"]));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        401
    );
    let login: Value = app
        .login(&user.username, temporary)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(login["must_change_password"], true);
}

/// Covers: P11-10d-2
#[tokio::test]
async fn tokens_live_15_minutes_and_sessions_8_hours_by_default() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let claims = token_claims(&user.token);
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        15 * 60
    );
    let (created, expires): (chrono::NaiveDateTime, chrono::NaiveDateTime) = sessions::table
        .find(claims["jti"].as_str().expect("session id"))
        .select((sessions::created_at, sessions::expires_at))
        .first(&mut app.db.connect())
        .expect("session row");
    assert_eq!(expires - created, Duration::hours(8));
}
