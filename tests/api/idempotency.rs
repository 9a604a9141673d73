//! `Idempotency-Key`: a client that lost an answer retries, and nothing is recorded twice.

use std::time::Duration;

use cartrec::db::DbConn;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{problem, TestApp, TestUser};

async fn post_with_key(
    app: &TestApp,
    user: &TestUser,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/lots"))
        .bearer_auth(&user.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("sent")
}

async fn lot_entries(app: &TestApp, auditor: &TestUser) -> usize {
    app.ledger_entries(auditor)
        .await
        .iter()
        .filter(|e| e["kind"] == "lot.registered")
        .count()
}

fn lot(lot_number: &str) -> Value {
    json!({ "material": "cytokine", "lot_number": lot_number, "supplier": "PeproTech",
            "expiry": "2030-01-01" })
}

/// Covers: GMP-LED-10
#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_first_answer_and_appends_nothing() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let first = post_with_key(&app, &qa, "retry-7f3a", &lot("IL7-01")).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("JSON");
    let retry = post_with_key(&app, &qa, "retry-7f3a", &lot("IL7-01")).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(retry.headers()["content-type"], "application/json");
    assert_eq!(retry.json::<Value>().await.expect("JSON"), first);
    assert_eq!(lot_entries(&app, &auditor).await, 1);
    // The same key with another request is refused; a new key is a new request.
    let (status, body) =
        problem(post_with_key(&app, &qa, "retry-7f3a", &lot("IL7-02")).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    assert_eq!(
        post_with_key(&app, &qa, "another", &lot("IL7-02"))
            .await
            .status(),
        201
    );
    assert_eq!(lot_entries(&app, &auditor).await, 2);
}

/// Covers: GMP-LED-10
#[tokio::test]
async fn keys_belong_to_one_user_and_refusals_are_decided_again() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let other_qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    assert_eq!(
        post_with_key(&app, &qa, "k1", &lot("A1")).await.status(),
        201
    );
    // Another user's key of the same name is theirs.
    assert_eq!(
        post_with_key(&app, &other_qa, "k1", &lot("A1"))
            .await
            .status(),
        201
    );
    let bad = json!({ "material": "Bad Name", "lot_number": "A1", "supplier": "S", "expiry": "2030-01-01" });
    let (status, first) = problem(post_with_key(&app, &qa, "k2", &bad).await).await;
    assert_eq!(status, 422);
    let (status, again) = problem(post_with_key(&app, &qa, "k2", &bad).await).await;
    assert_eq!((status.as_u16(), again), (422, first));
    assert_eq!(lot_entries(&app, &auditor).await, 2);
    let (status, _) = problem(post_with_key(&app, &qa, &"x".repeat(300), &lot("A3")).await).await;
    assert_eq!(status, 400);
}

/// Covers: GMP-LED-10
#[tokio::test]
async fn copies_of_one_request_racing_each_other_record_it_once() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let body = lot("RACE-1");
    let attempts = (0..6).map(|_| post_with_key(&app, &qa, "race", &body));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.contains(&201), "{statuses:?}");
    // Each copy waits for the one that claimed the key and gets its answer.
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(lot_entries(&app, &auditor).await, 1);
}

/// Takes what every write takes first (SQLite's write lock, PostgreSQL's ledger head row) and
/// holds it until [`release`]: a keyed request sent meanwhile stops in the middle.
pub fn hold_writes(app: &TestApp) -> DbConn {
    let mut conn = app.db.connect();
    let lock = if app.db.is_postgres() {
        "BEGIN; UPDATE ledger_head SET id = id WHERE id = 1;"
    } else {
        "BEGIN IMMEDIATE;"
    };
    conn.batch_execute(lock).expect("writes held");
    conn
}

pub fn release(mut held: DbConn) {
    held.batch_execute("ROLLBACK").expect("writes released");
}

/// Waits until a request of the app's database stops at the ledger's append lock, having
/// claimed its key (PostgreSQL); on SQLite the request stops at its claim: a moment suffices.
pub async fn until_stopped_at_append(app: &TestApp) {
    let DbConn::Postgresql(mut conn) = app.db.connect() else {
        tokio::time::sleep(Duration::from_millis(500)).await;
        return;
    };
    let waiting = diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
          AND wait_event_type = 'Lock' AND query LIKE 'UPDATE ledger_head%')",
    );
    for _ in 0..500 {
        let stopped: i64 = diesel::select(waiting.clone())
            .get_result(&mut conn)
            .expect("activity");
        if stopped > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no request stopped at the append lock");
}

/// Kept answers whose rows hold no answer: a claim of a request that never finished.
pub fn unanswered_claims(app: &TestApp) -> i64 {
    use cartrec::db::schema::idempotency_keys as keys;
    keys::table
        .filter(keys::status.is_null())
        .count()
        .get_result(&mut app.db.connect())
        .expect("count")
}

#[tokio::test]
async fn a_copy_sent_while_the_first_is_still_running_waits_and_gets_its_answer() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let held = hold_writes(&app);
    let send = || {
        let request = app
            .client
            .post(app.url("/api/v1/lots"))
            .bearer_auth(&qa.token)
            .header("Idempotency-Key", "slow-1")
            .json(&lot("SLOW-1"));
        tokio::spawn(async move { request.send().await.expect("sent") })
    };
    let first = send();
    until_stopped_at_append(&app).await;
    let copy = send();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Neither is answered while the first runs, and its claim is not visible to anyone.
    assert!(!first.is_finished() && !copy.is_finished());
    assert_eq!(unanswered_claims(&app), 0);
    release(held);
    let answers = [first.await.expect("first"), copy.await.expect("copy")];
    assert!(answers.iter().all(|a| a.status() == 201), "{answers:?}");
    let replayed = answers
        .iter()
        .filter(|a| a.headers().get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replayed, 1, "{answers:?}");
    assert_eq!(lot_entries(&app, &auditor).await, 1);
}

/// Covers: P11-300a
#[tokio::test]
async fn an_answer_carrying_a_temporary_password_is_never_kept_however_the_path_is_spelt() {
    let app = crate::helpers::spawn_app().await;
    let user = app.user_with_roles(&["operator"]).await;
    let reset = || {
        app.client
            .post(app.url(&format!("/api/v1/%75sers/{}/password", user.username)))
            .bearer_auth(&app.admin.token)
            .header("Idempotency-Key", "reset-1")
            .json(&json!({}))
            .send()
    };
    let first = reset().await.expect("sent");
    assert_eq!(first.status(), 200, "routed like /users");
    let first: Value = first.json().await.expect("JSON");
    let second = reset().await.expect("sent");
    assert!(second.headers().get("idempotent-replayed").is_none());
    let second: Value = second.json().await.expect("JSON");
    assert_ne!(first["temporary_password"], second["temporary_password"]);
    let kept: i64 = {
        cartrec::db::schema::idempotency_keys::table
            .count()
            .get_result(&mut app.db.connect())
            .expect("count")
    };
    assert_eq!(kept, 0);
}

/// A refusal that records (a wrong signature password counts toward the lock, in the ledger)
/// commits what it recorded although its key is released, and its retry is decided again.
#[tokio::test]
async fn a_refusal_that_records_keeps_its_record_and_releases_the_key() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let stream = format!("user/{}", qa.username);
    let recorded = || async {
        app.ledger_entries(&auditor)
            .await
            .iter()
            .filter(|e| e["stream"] == stream.as_str())
            .count()
    };
    let sign = || {
        app.client
            .post(app.url("/api/v1/ledger/entries/0/signatures"))
            .bearer_auth(&qa.token)
            .header("Idempotency-Key", "wrong-signature")
            .json(&json!({ "signature": { "password": "wrong-password-guess", "meaning": "reviewed" } }))
            .send()
    };
    let before = recorded().await;
    for attempt in 1..=2 {
        let (status, body) = problem(sign().await.expect("sent")).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (403, Some("signature_password_wrong"))
        );
        assert_eq!(
            recorded().await,
            before + attempt,
            "attempt {attempt} recorded"
        );
    }
    assert_eq!(unanswered_claims(&app), 0);
}
