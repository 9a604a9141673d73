//! Password rules, with the messages a person sees.

use serde_json::json;

use crate::helpers::{problem, spawn_app, TestApp, TestUser};

async fn change(app: &TestApp, user: &mut TestUser, new: &str) -> reqwest::Response {
    let response = app
        .post(
            "/api/v1/auth/password",
            Some(&user.token),
            &json!({ "current_password": user.password, "new_password": new }),
        )
        .await;
    if response.status() == 204 {
        user.password = new.to_owned();
        user.token = app.login_token(&user.username, new).await;
    }
    response
}

/// Covers: P11-300a
#[tokio::test]
async fn weak_and_personal_passwords_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let mut user = app.user_with_roles(&["operator"]).await;
    let personal = format!("{}-is-my-login", user.username);
    for (password, hint) in [
        ("short-pw", "at least 12 characters"),
        ("password12345", "too easy to guess"),
        ("qwertyuiop1234", "too easy to guess"),
        (personal.as_str(), "user name"),
        ("Test-Person-strong-orbit", "your name"),
    ] {
        let (status, body) = problem(change(&app, &mut user, password).await).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (422, Some("weak_password")),
            "{password}"
        );
        let detail = body["detail"].as_str().expect("detail");
        assert!(detail.contains(hint), "{password}: {detail}");
    }
}

/// Covers: P11-300a
#[tokio::test]
async fn the_last_five_passwords_cannot_be_reused() {
    let app = spawn_app().await;
    let mut user = app.user_with_roles(&["qa"]).await;
    let first = user.password.clone();
    for n in 1..=4 {
        let next = format!("Rotating-orbit-violin-{n}{n}");
        assert_eq!(change(&app, &mut user, &next).await.status(), 204);
    }
    let (status, body) = problem(change(&app, &mut user, &first).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("password_reused"))
    );
    let current = user.password.clone();
    let (status, _) = problem(change(&app, &mut user, &current).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        change(&app, &mut user, "Rotating-orbit-violin-55")
            .await
            .status(),
        204
    );
    assert_eq!(
        change(&app, &mut user, &first).await.status(),
        204,
        "six changes ago is allowed"
    );
}

/// Covers: P11-300a
#[tokio::test]
async fn password_hashes_never_leave_the_server() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["auditor"]).await;
    for (path, token) in [
        ("/api/v1/users", &app.admin.token),
        ("/api/v1/users/me", &user.token),
    ] {
        let text = app.get(path, Some(token)).await.text().await.expect("body");
        assert!(
            !text.contains("argon2") && !text.contains("password_hash"),
            "{text}"
        );
    }
    for entry in app.ledger_entries(&user).await {
        assert!(!entry.to_string().contains("$argon2"), "{entry}");
    }
}

/// Covers: P11-300d-3
#[tokio::test]
async fn password_attempts_are_rate_limited_per_account_and_per_client() {
    let app = crate::helpers::spawn_app_with(|settings| {
        settings.rate_limit_per_account_per_minute = 3;
        settings.rate_limit_per_client_per_minute = 12;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.login("someone", "guess-guess-guess").await.status(),
            401
        );
    }
    let limited = app.login("someone", "guess-guess-guess").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    let (_, body) = problem(limited).await;
    assert_eq!(body["code"], "too_many_attempts");
    // Other accounts from the same client, until the client's own limit: 12 attempts a minute,
    // of which spawn_app used 3 (login, password change, login) and the lines above 4. One
    // more may have been refilled (one every 5 s) if this machine is slow.
    let mut allowed = 0;
    while app
        .login(&format!("other{allowed}"), "guess-guess-guess")
        .await
        .status()
        == 401
    {
        allowed += 1;
        assert!(allowed <= 6, "the client limit never applied");
    }
    assert!(
        (5..=6).contains(&allowed),
        "{allowed} attempts before the client limit"
    );
}
