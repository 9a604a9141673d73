//! Account approval (21 CFR Part 11 §11.100(b)-(c), Annex 11 §12), tried as an administrator
//! who wants to act through accounts it makes: it never chooses a password, and no role of an
//! account takes effect before the owner's signed certification and the signed approval of
//! someone other than whoever asked for the role.

use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, TestApp, TestUser};

async fn me(app: &TestApp, user: &TestUser) -> Value {
    app.get("/api/v1/users/me", Some(&user.token))
        .await
        .json()
        .await
        .expect("JSON")
}

/// Kinds and actors of a user's stream, in order.
async fn history(app: &TestApp, auditor: &TestUser, username: &str) -> Vec<(String, String)> {
    let stream = format!("user/{username}");
    app.ledger_entries(auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["actor"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Covers: P11-300c
#[tokio::test]
async fn the_server_generates_the_temporary_password_and_refuses_a_chosen_one() {
    let app = spawn_app().await;
    let created = app
        .post(
            "/api/v1/users",
            Some(&app.admin.token),
            &json!({ "username": "anna", "full_name": "Anna Rossi", "roles": ["operator"] }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let body: Value = created.json().await.expect("JSON");
    assert_eq!(body["roles"], json!([]));
    assert_eq!(body["roles_pending"], json!(["operator"]));
    let temporary = body["temporary_password"].as_str().expect("shown once");
    assert!(temporary.len() >= 20);
    assert_eq!(app.login("anna", temporary).await.status(), 200);
    let (status, refused) = problem(
        app.post(
            "/api/v1/users",
            Some(&app.admin.token),
            &json!({ "username": "bruno", "full_name": "Bruno Bianchi", "roles": ["qa"],
                     "password": "Admin-knows-this-one-42" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), refused["code"].as_str()),
        (422, Some("password_not_accepted"))
    );
    let (status, _) = problem(app.login("bruno", "Admin-knows-this-one-42").await).await;
    assert_eq!(status, 401, "nothing was created");
}

/// Covers: P11-200a2
#[tokio::test]
async fn an_admin_who_logs_in_as_its_new_user_can_sign_nothing() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    // The administrator takes the temporary password, sets its own and certifies as the user.
    let (username, temporary) = app.create_user(&["operator"]).await;
    let hijacked = app.activate(&username, &temporary).await;
    app.acknowledge(&hijacked).await;
    assert_eq!(me(&app, &hijacked).await["roles"], json!([]));
    let (seq, _) = app
        .ledger_entries(&auditor)
        .await
        .iter()
        .find(|e| e["kind"] == "user.created")
        .map(|e| (e["seq"].as_i64().expect("seq"), ()))
        .expect("an entry");
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/ledger/entries/{seq}/signatures"),
            Some(&hijacked.token),
            &json!({ "signature": { "password": hijacked.password, "meaning": "witnessed" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("forbidden"))
    );
    // And the administrator cannot approve the roles itself: it asked for them (and only QA
    // approves an operator).
    let (status, body) = problem(app.approve(&app.admin, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("approver_requested_roles"))
    );
    let second_admin = app.user_with_roles(&["admin"]).await;
    let (status, body) = problem(app.approve(&second_admin, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("approver_role"))
    );
}

/// Covers: P11-100b
#[tokio::test]
async fn an_admin_account_is_approved_by_another_admin_never_its_creator_or_itself() {
    let app = spawn_app().await;
    let (username, temporary) = app.create_user(&["admin"]).await;
    let new_admin = app.activate(&username, &temporary).await;
    app.acknowledge(&new_admin).await;
    let (status, body) = problem(app.approve(&app.admin, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("approver_requested_roles"))
    );
    let (status, body) = problem(app.approve(&new_admin, &username).await).await;
    assert_eq!(status, 403, "{body}");
    // A second administrator, made at the server's console, confirms and approves.
    let output = app.run_cli_with_stdin(
        &[
            "user",
            "create-admin",
            "--username",
            "head",
            "--full-name",
            "Site Head",
            "--password-stdin",
        ],
        "Second-admin-orbit-violin-31\n",
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let head = TestUser {
        username: "head".into(),
        password: "Second-admin-orbit-violin-31".into(),
        token: app
            .login_token("head", "Second-admin-orbit-violin-31")
            .await,
    };
    let approved = app.approve(&head, &username).await;
    assert_eq!(approved.status(), 200);
    let approved: Value = approved.json().await.expect("JSON");
    assert_eq!(approved["roles"], json!(["admin"]));
    assert_eq!(approved["roles_pending"], json!([]));
    assert_eq!(
        app.get("/api/v1/users", Some(&new_admin.token))
            .await
            .status(),
        200
    );
}

/// Covers: P11-100c
#[tokio::test]
async fn approval_waits_for_the_owners_own_signed_certification() {
    let app = spawn_app().await;
    let approver = app.approver().await;
    let (username, temporary) = app.create_user(&["qp"]).await;
    let (status, body) = problem(app.approve(approver, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("password_change_required"))
    );
    // With the temporary password still in place, the owner cannot certify either.
    let token = app.login_token(&username, &temporary).await;
    let with_temporary = TestUser {
        username: username.clone(),
        password: temporary.clone(),
        token,
    };
    let (status, body) = problem(
        app.post(
            "/api/v1/users/me/acknowledge",
            Some(&with_temporary.token),
            &json!({ "signature": { "password": temporary, "meaning": "acknowledged" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("password_change_required"))
    );
    let user = app.activate(&username, &temporary).await;
    let (status, body) = problem(app.approve(approver, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("not_acknowledged"))
    );
    let (status, body) = problem(
        app.post(
            "/api/v1/users/me/acknowledge",
            Some(&user.token),
            &json!({ "signature": { "password": user.password, "meaning": "approved" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("wrong_meaning"))
    );
    app.acknowledge(&user).await;
    let (status, body) = problem(
        app.post(
            "/api/v1/users/me/acknowledge",
            Some(&user.token),
            &json!({ "signature": { "password": user.password, "meaning": "acknowledged" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("already_acknowledged"))
    );
    assert_eq!(app.approve(approver, &username).await.status(), 200);
    let after = me(&app, &user).await;
    assert_eq!(after["roles"], json!(["qp"]));
    assert!(after["acknowledged_at"].is_string());
}

/// Covers: P11-100b
#[tokio::test]
async fn only_qa_approves_gmp_roles_and_only_with_its_own_password() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let (username, temporary) = app.create_user(&["qc_analyst"]).await;
    let user = app.activate(&username, &temporary).await;
    app.acknowledge(&user).await;
    let (status, body) = problem(app.approve(&operator, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("forbidden"))
    );
    let approver = app.approver().await;
    let wrong_password = app
        .post(
            &format!("/api/v1/users/{username}/approve"),
            Some(&approver.token),
            &json!({ "signature": { "password": "not-the-approvers", "meaning": "approved" } }),
        )
        .await;
    let (status, body) = problem(wrong_password).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (403, Some("signature_password_wrong"))
    );
    assert_eq!(me(&app, &user).await["roles"], json!([]));
    assert_eq!(app.approve(approver, &username).await.status(), 200);
    let (status, body) = problem(app.approve(approver, &username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("nothing_pending"))
    );
}

/// Covers: P11-100b, P11-300c
#[tokio::test]
async fn a_password_reset_suspends_the_roles_until_qa_approves_again() {
    let app = spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let reset: Value = app
        .post(
            &format!("/api/v1/users/{}/password", user.username),
            Some(&app.admin.token),
            &json!({}),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let temporary = reset["temporary_password"].as_str().expect("generated");
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/users/{}/password", user.username),
            Some(&app.admin.token),
            &json!({ "password": "Admin-chosen-orbit-violin-9" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("password_not_accepted"))
    );
    let (status, body) = problem(app.approve(app.approver().await, &user.username).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("password_change_required")),
        "the administrator has seen the temporary password"
    );
    let again = app.activate(&user.username, temporary).await;
    assert_eq!(me(&app, &again).await["roles"], json!([]));
    assert_eq!(me(&app, &again).await["roles_pending"], json!(["operator"]));
    let (_, body) = problem(app.approve(app.approver().await, &user.username).await).await;
    assert_eq!(
        body["code"], "not_acknowledged",
        "the owner certifies again"
    );
    app.acknowledge(&again).await;
    assert_eq!(
        app.approve(app.approver().await, &user.username)
            .await
            .status(),
        200
    );
    assert_eq!(me(&app, &again).await["roles"], json!(["operator"]));
}

/// Covers: A11-12.3, P11-10e-1
#[tokio::test]
async fn the_ledger_shows_who_created_acknowledged_and_approved_and_the_console_too() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let approver = app.approver().await.username.clone();
    let user = app.user_with_roles(&["operator"]).await;
    let kinds: Vec<(String, String)> = history(&app, &auditor, &user.username).await;
    let expected = [
        ("user.created", "admin"),
        ("user.login_succeeded", user.username.as_str()),
        ("user.password_changed", user.username.as_str()),
        ("user.login_succeeded", user.username.as_str()),
        ("user.acknowledged", user.username.as_str()),
        ("signature.applied", user.username.as_str()),
        ("user.roles_approved", approver.as_str()),
        ("signature.applied", approver.as_str()),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, a)| ((*k).to_owned(), (*a).to_owned()))
        .collect();
    assert_eq!(kinds, expected);
    let entries = app.ledger_entries(&auditor).await;
    let signatures: Vec<&Value> = entries
        .iter()
        .filter(|e| {
            e["kind"] == "signature.applied"
                && e["stream"] == format!("user/{}", user.username).as_str()
        })
        .collect();
    assert_eq!(signatures[0]["payload"]["meaning"], "acknowledged");
    assert_eq!(
        signatures[0]["payload"]["signed"][0]["kind"],
        "user.acknowledged"
    );
    assert_eq!(signatures[1]["payload"]["meaning"], "approved");
    assert_eq!(
        signatures[1]["payload"]["signed"][0]["kind"],
        "user.roles_approved"
    );
    // The approver's own approval was made at the console, naming who confirmed the identity.
    let console = entries
        .iter()
        .find(|e| {
            e["kind"] == "user.roles_approved" && e["stream"] == format!("user/{approver}").as_str()
        })
        .expect("console approval");
    assert_eq!(console["actor"], "system");
    assert_eq!(console["payload"]["via"], "console");
    assert_eq!(console["payload"]["confirmed_by"], "Site Head");
}

/// Covers: P11-100c
#[tokio::test]
async fn the_console_refuses_an_approval_before_the_certification_in_a_plain_sentence() {
    let app = spawn_app().await;
    let (username, temporary) = app.create_user(&["qa"]).await;
    let output = app.run_cli(&["user", "approve", &username, "--confirmed-by", "Site Head"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("still has a temporary password"));
    app.activate(&username, &temporary).await;
    let output = app.run_cli(&["user", "approve", &username, "--confirmed-by", "Site Head"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has not yet certified their electronic signature"),
        "{stderr}"
    );
    let output = app.run_cli(&["user", "approve", "ghost", "--confirmed-by", "Site Head"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("there is no user 'ghost'"));
}

/// Covers: A11-5
#[tokio::test]
async fn a_signature_comment_with_a_direction_override_is_refused() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let seq = app.ledger_entries(&auditor).await[0]["seq"]
        .as_i64()
        .expect("seq");
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/ledger/entries/{seq}/signatures"),
            Some(&qa.token),
            &json!({ "signature": { "password": qa.password, "meaning": "reviewed",
                                    "comment": "fine\u{202e}deretla" } }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("invalid_comment"))
    );
    let (status, body) = problem(
        app.post(
            &format!("/api/v1/users/{}/deactivate", qa.username),
            Some(&app.admin.token),
            &json!({ "reason": "left\u{200b}" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("invalid_reason"))
    );
}
