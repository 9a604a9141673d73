//! The account and signature tables are projections of the ledger: someone with database
//! access who edits them (grants a role, lifts a lock, swaps a password hash, plants a session
//! or a signature) leaves the ledger intact, and `cartrec verify` names what disagrees.

use cartrec::db::schema::{sessions, signatures, users};
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp, TestUser};

/// `cartrec verify` fails, and says this about this user.
fn assert_verify_names(app: &TestApp, expected: &[&str]) {
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "verify passed: {stdout}");
    assert!(
        stdout.starts_with("FAILED: the ledger verifies ("),
        "{stdout}"
    );
    for text in expected {
        assert!(stdout.contains(text), "expected {text:?} in: {stdout}");
    }
}

fn assert_verify_passes(app: &TestApp) {
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
}

async fn verify_over_http(app: &TestApp, auditor: &TestUser) -> Value {
    app.get("/api/v1/ledger/verify", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON")
}

/// Covers: GMP-EVT-3
#[tokio::test]
async fn an_admin_role_granted_in_the_table_is_named_by_verify() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    assert_verify_passes(&app);
    diesel::update(users::table.find(&operator.username))
        .set(users::roles.eq("admin"))
        .execute(&mut app.db.connect())
        .expect("a database user edits the row");
    assert_verify_names(
        &app,
        &[
            &format!("user '{}'", operator.username),
            "roles: table 'admin', ledger 'operator'",
        ],
    );
    let report = verify_over_http(&app, &auditor).await;
    assert_eq!(report["ok"], false);
    let mismatches = report["projection_mismatches"].as_array().expect("list");
    assert_eq!(mismatches.len(), 1, "{report}");
    assert!(mismatches[0]
        .as_str()
        .expect("text")
        .contains(&operator.username));
}

/// Covers: GMP-EVT-3
#[tokio::test]
async fn a_lifted_lock_reactivation_and_swapped_password_hash_are_named() {
    let app = spawn_app().await;
    let locked = app.user_with_roles(&["qa"]).await;
    let retired = app.user_with_roles(&["qp"]).await;
    for _ in 0..5 {
        app.login(&locked.username, "a-wrong-guess-here").await;
    }
    app.post(
        &format!("/api/v1/users/{}/deactivate", retired.username),
        Some(&app.admin.token),
        &serde_json::json!({ "reason": "left the site" }),
    )
    .await;
    assert_verify_passes(&app);
    let mut conn = app.db.connect();
    diesel::update(users::table.find(&locked.username))
        .set(users::locked_until.eq(None::<chrono::NaiveDateTime>))
        .execute(&mut conn)
        .expect("lock lifted behind the ledger's back");
    let admin_hash: String = users::table
        .find("admin")
        .select(users::password_hash)
        .first(&mut conn)
        .expect("hash");
    diesel::update(users::table.find(&retired.username))
        .set((users::active.eq(true), users::password_hash.eq(admin_hash)))
        .execute(&mut conn)
        .expect("account revived with a known password");
    assert_verify_names(
        &app,
        &[
            &format!("user '{}'", locked.username),
            "locked_until: table ''",
            &format!("user '{}'", retired.username),
            "active: table 'true', ledger 'false'",
            "password_hash: not the credential the ledger recorded",
        ],
    );
}

/// Covers: GMP-EVT-3
#[tokio::test]
async fn a_planted_session_and_an_unrecorded_user_row_are_named() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let mut conn = app.db.connect();
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq("00000000-0000-4000-8000-00000000beef"),
            sessions::username.eq(&operator.username),
            sessions::created_at.eq(now),
            sessions::last_seen_at.eq(now),
            sessions::expires_at.eq(now + chrono::Duration::hours(8)),
        ))
        .execute(&mut conn)
        .expect("session planted");
    diesel::insert_into(users::table)
        .values((
            users::username.eq("ghost"),
            users::full_name.eq("Ghost Writer"),
            users::roles.eq("qp"),
            users::roles_pending.eq(""),
            users::active.eq(true),
            users::must_change_password.eq(false),
            users::password_hash.eq("x"),
            users::created_at.eq(now),
            users::updated_at.eq(now),
            users::failed_attempts.eq(0),
        ))
        .execute(&mut conn)
        .expect("user planted");
    assert_verify_names(
        &app,
        &[
            "session 00000000-0000-4000-8000-00000000beef was not opened by a recorded login",
            "user 'ghost': the users table has a row the ledger never recorded",
        ],
    );
}

/// Covers: GMP-EVT-3
#[tokio::test]
async fn a_signature_row_the_ledger_never_made_is_named() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let mut conn = app.db.connect();
    diesel::insert_into(signatures::table)
        .values((
            signatures::signature_seq.eq(1_i64),
            signatures::entry_seq.eq(0_i64),
            signatures::entry_hash.eq(vec![7u8; 32]),
            signatures::signer.eq(&operator.username),
            signatures::meaning.eq("approved"),
        ))
        .execute(&mut conn)
        .expect("signature planted");
    assert_verify_names(
        &app,
        &["signatures row (signature_seq 1, entry_seq 0) matches no signature in the ledger"],
    );
}
