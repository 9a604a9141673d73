//! Account administration: who may do it, what is refused, and what the ledger shows.

use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app};

/// Covers: P11-10g
#[tokio::test]
async fn a_non_admin_cannot_create_users() {
    let app = spawn_app().await;
    for role in ["operator", "qc_analyst", "qa", "qp", "auditor"] {
        let user = app.user_with_roles(&[role]).await;
        let (status, body) = problem(
            app.post(
                "/api/v1/users",
                Some(&user.token),
                &json!({ "username": "intruder", "full_name": "In Truder", "roles": ["admin"] }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 403, "{role}");
        assert_eq!(body["code"], "forbidden");
    }
}

/// Covers: GMP-ROLE-2
#[tokio::test]
async fn an_admin_cannot_change_its_own_roles_deactivate_or_reset_itself() {
    let app = spawn_app().await;
    let token = Some(app.admin.token.as_str());
    let attempts = [
        (
            "/api/v1/users/admin/roles",
            json!({ "roles": ["admin", "auditor"] }),
            "own_roles",
        ),
        (
            "/api/v1/users/admin/deactivate",
            json!({ "reason": "testing" }),
            "own_account",
        ),
        ("/api/v1/users/admin/password", json!({}), "own_account"),
    ];
    for (path, body, code) in attempts {
        let (status, problem_body) = problem(app.post(path, token, &body).await).await;
        assert_eq!(
            (status.as_u16(), problem_body["code"].as_str()),
            (403, Some(code)),
            "{path}"
        );
    }
}

/// Covers: P11-10d-2, P11-100b
#[tokio::test]
async fn a_role_change_ends_the_users_sessions_and_new_roles_wait_for_approval() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let changed: Value = app
        .post(
            &format!("/api/v1/users/{}/roles", user.username),
            Some(&app.admin.token),
            &json!({ "roles": ["auditor"] }),
        )
        .await
        .json()
        .await
        .expect("JSON");
    // Operator ends at once; auditor waits for QA.
    assert_eq!(changed["roles"], json!([]));
    assert_eq!(changed["roles_pending"], json!(["auditor"]));
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.token))
            .await
            .status(),
        401
    );
    let token = app.login_token(&user.username, &user.password).await;
    assert_eq!(
        app.get("/api/v1/ledger/entries", Some(&token))
            .await
            .status(),
        403
    );
    let approved = app.approve(app.approver().await, &user.username).await;
    assert_eq!(approved.status(), 200);
    assert_eq!(
        app.get("/api/v1/ledger/entries", Some(&token))
            .await
            .status(),
        200
    );
}

/// Covers: P11-300a
#[tokio::test]
async fn accounts_are_listed_without_password_hashes() {
    let app = spawn_app().await;
    app.user_with_roles(&["qp"]).await;
    let response = app.get("/api/v1/users", Some(&app.admin.token)).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    assert!(!text.contains("argon2"), "{text}");
    let body: Value = serde_json::from_str(&text).expect("JSON");
    let users = body["users"].as_array().expect("users");
    // The first admin, the QA user who approves, and the QP.
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u.get("password_hash").is_none()));
}

/// Covers: P11-100a-1, GMP-ROLE-1, A11-5
#[tokio::test]
async fn invalid_accounts_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"username": "Bad Name", "full_name": "A B", "roles": ["qa"]}),
            422,
            "invalid_username",
        ),
        (
            json!({"username": "system", "full_name": "A B", "roles": ["qa"]}),
            422,
            "reserved_username",
        ),
        (
            json!({"username": "anna", "full_name": "A B", "roles": ["chief"]}),
            422,
            "invalid_role",
        ),
        (
            json!({"username": "anna", "full_name": "A B", "roles": []}),
            422,
            "no_roles",
        ),
        (
            json!({"username": "anna", "full_name": "A B", "roles": ["admin", "qp"]}),
            422,
            "incompatible_roles",
        ),
        (
            json!({"username": "anna", "full_name": "A B", "roles": ["auditor", "qa"]}),
            422,
            "incompatible_roles",
        ),
        (
            json!({"username": "anna", "full_name": "A B", "roles": ["qa"], "password": "chosen-by-the-admin-42"}),
            422,
            "password_not_accepted",
        ),
        (
            json!({"username": "anna", "full_name": "\u{202e}evil", "roles": ["qa"]}),
            422,
            "invalid_full_name",
        ),
        (
            json!({"username": "anna", "full_name": "Anna\u{200b}Rossi", "roles": ["qa"]}),
            422,
            "invalid_full_name",
        ),
        (
            json!({"username": "admin", "full_name": "A B", "roles": ["qa"]}),
            409,
            "username_taken",
        ),
    ];
    for (body, status, code) in cases {
        let (actual, problem_body) = problem(
            app.post("/api/v1/users", Some(&app.admin.token), &body)
                .await,
        )
        .await;
        assert_eq!(actual, status, "{body}");
        assert_eq!(problem_body["code"], code, "{body}");
        assert!(!problem_body["detail"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
    }
}

/// Covers: GMP-ACC-1
#[tokio::test]
async fn deactivating_needs_an_existing_active_user_and_a_reason() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["qa"]).await;
    let path = format!("/api/v1/users/{}/deactivate", user.username);
    let (status, _) = problem(
        app.post(&path, Some(&app.admin.token), &json!({ "reason": " " }))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        app.post(&path, Some(&app.admin.token), &json!({ "reason": "left" }))
            .await
            .status(),
        200
    );
    let (status, body) = problem(
        app.post(&path, Some(&app.admin.token), &json!({ "reason": "again" }))
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("already_inactive"))
    );
    let (status, _) = problem(
        app.post(
            "/api/v1/users/ghost/deactivate",
            Some(&app.admin.token),
            &json!({ "reason": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

/// Covers: P11-100a-2
#[tokio::test]
async fn a_deactivated_users_name_is_never_given_to_anyone_else() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let deactivated = app
        .post(
            &format!("/api/v1/users/{}/deactivate", user.username),
            Some(&app.admin.token),
            &json!({ "reason": "left the hospital" }),
        )
        .await;
    assert_eq!(deactivated.status(), 200);
    let (status, body) = problem(
        app.post(
            "/api/v1/users",
            Some(&app.admin.token),
            &json!({ "username": user.username, "full_name": "Someone Else", "roles": ["operator"] }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("username_taken"))
    );
    let login = app.login(&user.username, &user.password).await;
    assert_eq!(login.status(), 401, "the deactivated account stays closed");
}
