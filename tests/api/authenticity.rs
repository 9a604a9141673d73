//! The ledger against someone who can write to the database (issue: "the ledger proves
//! itself"): an entry appended around cartrec, a rewritten history, an edited payload, a
//! removed tail, a moved lock row and a planted Merkle node are each named by every verifier,
//! and the service refuses to build on them: it goes read-only with `ledger_unverified`.

use cartrec::db::schema::ledger_entries::dsl as le;
use cartrec::db::DbConn;
use cartrec::ledger::{Actor, Entry, EventKind, NewEvent, Position, Stream, ZERO_HASH};
use cartrec::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::browser::browser;
use crate::helpers::{problem, spawn_app, test_settings, TestApp, TestUser};
use crate::ledger_integrity::{append_test_events, entry_count, load};

/// An entry that extends the chain as the database's guards demand, built as an insider would:
/// correct hashes and links, but written around cartrec, so no signed tree head covers it.
pub(crate) fn forge_at_tail(conn: &mut DbConn, stream: &str, kind: &str, payload: Value) -> i64 {
    let (seq, prev): (i64, Vec<u8>) = le::ledger_entries
        .order(le::seq.desc())
        .select((le::seq, le::hash))
        .first(conn)
        .expect("an entry");
    let stream_last: Option<(i64, Vec<u8>)> = le::ledger_entries
        .filter(le::stream.eq(stream))
        .order(le::stream_seq.desc())
        .select((le::stream_seq, le::hash))
        .first(conn)
        .optional()
        .expect("stream head");
    let (stream_seq, stream_prev_hash) = match stream_last {
        Some((s, h)) => (s + 1, h.try_into().expect("32 bytes")),
        None => (0, ZERO_HASH),
    };
    let event = NewEvent::from_value(
        Stream::parse(stream).expect("stream"),
        EventKind::parse(kind).expect("kind"),
        payload,
    )
    .expect("event");
    let position = Position {
        seq: seq + 1,
        prev_hash: prev.try_into().expect("32 bytes"),
        stream_seq,
        stream_prev_hash,
    };
    let now = cartrec::ledger::format_recorded_at(chrono::Utc::now());
    let entry = Entry::seal(position, &Actor::system(), &event, now).expect("sealed");
    diesel::insert_into(le::ledger_entries)
        .values(&entry)
        .execute(conn)
        .expect("the database's guards accept an entry that extends the chain");
    seq + 1
}

fn cli_verify(app: &TestApp) -> (bool, String) {
    let output = app.run_cli(&["verify"]);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

async fn verify_answer(app: &TestApp, auditor: &TestUser) -> Value {
    let response = app.get("/api/v1/ledger/verify", Some(&auditor.token)).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

/// A write any admin may make: creating an account. A refusal must be problem+json.
pub(crate) async fn try_a_write(address: &str, admin: &TestUser) -> (reqwest::StatusCode, Value) {
    let n = uuid::Uuid::new_v4().simple().to_string();
    let response = reqwest::Client::new()
        .post(format!("{address}/api/v1/users"))
        .bearer_auth(&admin.token)
        .json(&json!({ "username": format!("later{}", &n[..8]),
                       "full_name": "Later Person Qrs", "roles": ["operator"] }))
        .send()
        .await
        .expect("sent");
    if response.status().is_success() {
        let status = response.status();
        return (status, response.json().await.expect("JSON"));
    }
    problem(response).await
}

/// Another instance of the same server (same database, data directory and keys), as after a
/// restart; returns its address.
pub(crate) async fn restart(app: &TestApp) -> String {
    let server = Application::build(test_settings(app.data_dir.path(), &app.db.url))
        .await
        .expect("a restart builds, whatever it finds");
    let address = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    address
}

/// Polls until a write on `address` is refused as `ledger_unverified` (the background
/// verification runs right after the start), and returns the refusal.
async fn refused_soon(address: &str, admin: &TestUser) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, body) = try_a_write(address, admin).await;
        if status == 503 {
            assert_eq!(body["code"], "ledger_unverified", "{body}");
            return body;
        }
        assert!(status.is_success(), "{status}: {body}");
        assert!(
            std::time::Instant::now() < deadline,
            "the service still writes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Points the append lock row at entry `from - 1` again, as an insider who removed the entries
/// from `from` on must for the database to accept the next insert.
fn move_lock_row_back(conn: &mut DbConn, from: i64) {
    conn.batch_execute(&format!(
        "UPDATE ledger_head SET next_seq = {from}, head_hash = (SELECT hash FROM ledger_entries \
         WHERE seq = {})",
        from - 1
    ))
    .expect("the lock row moved back");
}

fn drop_guards(app: &TestApp, conn: &mut DbConn) {
    let sql = if app.db.is_postgres() {
        "DROP TRIGGER ledger_entries_no_update_delete ON ledger_entries; \
         DROP TRIGGER merkle_nodes_no_update_delete ON merkle_nodes; \
         DROP TRIGGER tree_heads_no_update_delete ON tree_heads; \
         DROP TRIGGER checkpoints_no_update_delete ON checkpoints"
    } else {
        "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete; \
         DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete; \
         DROP TRIGGER tree_heads_no_delete; DROP TRIGGER checkpoints_no_delete"
    };
    conn.batch_execute(sql)
        .expect("superuser drops the triggers");
}

/// F1: a forged `user.roles_approved` appended at the tail with every hash right.
///
/// Covers: P11-10a-1, GMP-LED-12, GMP-LED-13
#[tokio::test]
async fn an_entry_appended_around_cartrec_is_named_and_the_service_goes_read_only() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let (pending, _) = app.create_user(&["qa"]).await;
    let mut conn = app.db.connect();
    let forged = forge_at_tail(
        &mut conn,
        &format!("user/{pending}"),
        "user.roles_approved",
        json!({ "username": pending, "roles": ["qa"], "via": "console" }),
    );
    let uncovered = format!("entries {forged}..={forged} are covered by no signed tree head");

    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    assert!(
        report.contains(&format!("seq {forged}: {uncovered}")),
        "{report}"
    );

    let answer = verify_answer(&app, &auditor).await;
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["failure"]["seq"], forged, "{answer}");
    assert!(answer["summary"]
        .as_str()
        .unwrap_or_default()
        .contains(&uncovered));
    assert_eq!(answer["read_only"]["seq"], forged, "{answer}");

    // Nothing is built on it: no write, no checkpoint countersigning it.
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("seq {forged}")),
        "{body}"
    );
    let checkpoint = app
        .client
        .post(app.url("/api/v1/ledger/checkpoint"))
        .bearer_auth(&auditor.token)
        .send()
        .await
        .expect("sent");
    assert!(
        !checkpoint.status().is_success(),
        "a checkpoint was signed over it"
    );
}

/// F1 again, found by the append path itself (nobody asked for a verification), and by a
/// restarted instance before it serves anything.
///
/// Covers: GMP-LED-13
#[tokio::test]
async fn the_append_path_and_a_restart_refuse_a_ledger_with_a_forged_tail() {
    let app = spawn_app().await;
    let forged = forge_at_tail(
        &mut app.db.connect(),
        "batch/FORGED",
        "test.appended",
        json!({ "forged": true }),
    );
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified");
    let (status, _) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "read-only stays read-only");

    let restarted = restart(&app).await;
    let (status, body) = try_a_write(&restarted, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("seq {forged}")),
        "{body}"
    );
    // A command-line tool refuses too.
    let output = app.run_cli(&["user", "approve", "admin", "--confirmed-by", "Some One"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did not verify"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// F2/F3: the history rewritten from one entry on, with recomputed hashes, and the Merkle
/// subtrees, tree heads and checkpoints in the database deleted to match: the checkpoint and
/// tree head kept in `checkpoint_dir` still name it, for the CLI, the API and a restart.
///
/// Covers: P11-10a-1, GMP-LED-7, GMP-LED-12
#[tokio::test]
async fn a_rewritten_history_with_its_database_evidence_deleted_is_caught_through_checkpoint_dir() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    app.sealed(|| append_test_events(&mut app.db.connect(), "before", 5));
    app.sign_checkpoint(&auditor).await;
    let mut conn = app.db.connect();
    let size = entry_count(&mut conn);
    let from = size - 3;
    drop_guards(&app, &mut conn);
    conn.batch_execute(&format!(
        "DELETE FROM ledger_entries WHERE seq >= {from}; DELETE FROM merkle_nodes; \
         DELETE FROM tree_heads; DELETE FROM checkpoints"
    ))
    .expect("the evidence in the database removed");
    move_lock_row_back(&mut conn, from);
    for i in 0..3 {
        forge_at_tail(
            &mut conn,
            "batch/before",
            "test.appended",
            json!({ "rewritten": i }),
        );
    }

    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    let answer = verify_answer(&app, &auditor).await;
    assert_eq!(answer["ok"], false, "{answer}");
    let restarted = restart(&app).await;
    let (status, body) = try_a_write(&restarted, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified");
}

/// F4: one payload byte edited inside a signed range (the entry's hash still matches its
/// bytes): the next start goes read-only once its background verification has read it.
///
/// Covers: P11-10a-1, GMP-LED-12, GMP-LED-13
#[tokio::test]
async fn an_edited_payload_stops_the_service_at_its_next_start() {
    let app = spawn_app().await;
    app.user_with_roles(&["operator"]).await;
    let mut conn = app.db.connect();
    drop_guards(&app, &mut conn);
    let mut payload = load(&mut conn, 5).payload_bytes;
    let at = payload.len() - 3;
    payload[at] ^= 0x01;
    diesel::update(le::ledger_entries.find(5))
        .set(le::payload_bytes.eq(payload))
        .execute(&mut conn)
        .expect("payload edited");

    let restarted = restart(&app).await;
    let refusal = refused_soon(&restarted, &app.admin).await;
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("seq 5"),
        "{refusal}"
    );
}

/// The tail after the newest signed head deleted with its heads and subtrees: the copy of the
/// head outside the database names it.
///
/// Covers: GMP-LED-7, GMP-LED-12
#[tokio::test]
async fn a_deleted_tail_is_caught_through_the_head_copied_outside() {
    let app = spawn_app().await;
    app.sealed(|| append_test_events(&mut app.db.connect(), "tail", 6));
    let mut conn = app.db.connect();
    let size = entry_count(&mut conn);
    // The running server copies its newest head within a moment; the test's own writes are
    // copied by the server's copier too once it writes again, so wait for the copy.
    let copied = app.data_dir.path().join("checkpoints").join("tree-head");
    app.sealer()
        .copy_outside(&mut conn)
        .expect("the newest head copied outside");
    let note = std::fs::read_to_string(&copied).expect("a head outside");
    assert!(note.contains(&format!("\n{size}\n")), "{note}");

    drop_guards(&app, &mut conn);
    let from = size - 2;
    conn.batch_execute(&format!(
        "DELETE FROM ledger_entries WHERE seq >= {from}; \
         DELETE FROM tree_heads WHERE size > {from}; \
         DELETE FROM merkle_nodes WHERE idx >= 0 AND level >= 0 AND \
           ((idx + 1) * (1 << level)) > {from}"
    ))
    .expect("the tail removed");
    move_lock_row_back(&mut conn, from);

    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    assert!(report.contains("the tree head copied to"), "{report}");
    assert!(report.contains("entries were removed"), "{report}");
    let restarted = restart(&app).await;
    let (status, body) = try_a_write(&restarted, &app.admin).await;
    assert_eq!(status, 503, "{body}");
}

/// A lock row moved around cartrec is a named refusal, never an opaque failure; so is a Merkle
/// node planted where the next append must store its own.
///
/// Covers: GMP-LED-13
#[tokio::test]
async fn a_moved_lock_row_and_a_planted_merkle_node_are_named_refusals() {
    let app = spawn_app().await;
    app.db
        .connect()
        .batch_execute("UPDATE ledger_head SET next_seq = next_seq + 5")
        .expect("lock row moved");
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_head_mismatch", "{body}");

    let other = spawn_app().await;
    let mut conn = other.db.connect();
    if entry_count(&mut conn) % 2 == 0 {
        other.sealed(|| append_test_events(&mut conn, "odd", 1));
    }
    // The next entry (odd seq n) completes the level-1 node n/2: plant one there, past the
    // guard that wants its children stored first.
    let next = entry_count(&mut conn);
    let (drop_guard, junk) = if other.db.is_postgres() {
        (
            "DROP TRIGGER merkle_nodes_insert_extends ON merkle_nodes",
            "decode(repeat('ab', 32), 'hex')",
        )
    } else {
        ("DROP TRIGGER merkle_nodes_insert_children", "zeroblob(32)")
    };
    conn.batch_execute(drop_guard).expect("guard dropped");
    conn.batch_execute(&format!(
        "INSERT INTO merkle_nodes (level, idx, hash) VALUES (1, {}, {junk})",
        next / 2
    ))
    .expect("node planted");
    let (status, body) = try_a_write(&other.address, &other.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "merkle_node_conflict", "{body}");
    let (status, body) = try_a_write(&other.address, &other.admin).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified", "{body}");
}

/// What an auditor reads: every verifier says which evidence its verdict rests on.
///
/// Covers: GMP-LED-7, GMP-LED-12
#[tokio::test]
async fn every_verdict_names_its_evidence() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    app.sign_checkpoint(&auditor).await;
    let answer = verify_answer(&app, &auditor).await;
    assert_eq!(answer["ok"], true, "{answer}");
    let evidence: Vec<String> = answer["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|line| line.as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        evidence
            .iter()
            .any(|line| line.contains("signed tree head(s) checked")),
        "{evidence:?}"
    );
    assert!(
        evidence
            .iter()
            .any(|line| line.contains("newest checkpoint outside the database")),
        "{evidence:?}"
    );
    let (ok, report) = cli_verify(&app);
    assert!(ok, "{report}");
    assert!(report.contains("signed tree head(s) checked"), "{report}");
    assert!(
        report.contains("newest checkpoint outside the database"),
        "{report}"
    );
}

/// F1 through the web UI: the auditor's verify button names the forged entry, and from then on
/// every page shows QA, admins and auditors that the instance is read-only.
///
/// Covers: P11-10a-1, GMP-LED-12, GMP-LED-13
#[tokio::test]
async fn the_verify_button_names_a_forged_entry_and_a_banner_stays() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let auditor = app.user_with_roles(&["auditor"]).await;
    // Signed in before: a sign-in is itself recorded, so a read-only instance refuses new ones.
    b.log_in(&auditor.username, &auditor.password).await;
    let forged = forge_at_tail(
        &mut app.db.connect(),
        "batch/FORGED",
        "test.appended",
        json!({ "forged": true }),
    );
    b.click("a[href='/ledger']").await;
    assert!(
        !b.has("#ledger-alarm").await,
        "no alarm before anything failed"
    );
    b.click("#verify-ledger").await;
    let result = b.text("#verify-result").await;
    assert!(result.contains("does NOT verify"), "{result}");
    assert!(
        result.contains(&format!("seq {forged}")) && result.contains("no signed tree head"),
        "{result}"
    );
    let alarm = b.text("#ledger-alarm").await;
    assert!(alarm.contains(&format!("seq {forged}")), "{alarm}");
    b.assert_accessible().await;
    b.screenshot("ledger-unverified").await;
    b.open("/").await;
    assert!(b.has("#ledger-alarm").await, "the banner is on every page");
}

/// A database from before signed tree heads (simulated: the heads removed, and no copy of one
/// outside): its next start verifies it in full and covers it with one signed head, then writes
/// as usual. With a head copied outside, the same start refuses: the heads were removed.
///
/// Covers: GMP-LED-12
#[tokio::test]
async fn a_ledger_from_before_signed_heads_is_adopted_once_it_verifies_in_full() {
    let app = spawn_app().await;
    app.user_with_roles(&["operator"]).await;
    let mut conn = app.db.connect();
    let size = entry_count(&mut conn);
    // Let the server's copier finish before its head is taken away.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let drop_guard = if app.db.is_postgres() {
        "DROP TRIGGER tree_heads_no_update_delete ON tree_heads"
    } else {
        "DROP TRIGGER tree_heads_no_delete"
    };
    conn.batch_execute(drop_guard).expect("guard dropped");
    conn.batch_execute("DELETE FROM tree_heads")
        .expect("the heads removed");
    let copied = app.data_dir.path().join("checkpoints").join("tree-head");

    // With the copy outside: the heads were removed, not never written.
    assert!(copied.exists(), "the server copied its head outside");
    let refusing = restart(&app).await;
    let (status, body) = try_a_write(&refusing, &app.admin).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("the heads were removed"),
        "{body}"
    );

    // Without it (nor the record of the refusing start's distrust, which no such upgrade
    // has): a ledger written before heads, adopted.
    std::fs::remove_file(&copied).expect("copy removed");
    std::fs::remove_file(app.data_dir.path().join("ledger-distrust.json"))
        .expect("the refusing start kept its distrust");
    let adopted = restart(&app).await;
    let (status, body) = try_a_write(&adopted, &app.admin).await;
    assert_eq!(status, 201, "{body}");
    let heads: i64 = cartrec::db::schema::tree_heads::table
        .count()
        .get_result(&mut conn)
        .expect("heads");
    assert_eq!(
        heads, 2,
        "one head adopting the old ledger, one for the new write"
    );
    let first: i64 = cartrec::db::schema::tree_heads::table
        .select(diesel::dsl::min(cartrec::db::schema::tree_heads::size))
        .first::<Option<i64>>(&mut conn)
        .expect("min")
        .expect("a head");
    assert_eq!(first, size);
    let (ok, report) = cli_verify(&app);
    assert!(ok, "{report}");
}

/// The `users` row of `username`: its roles and its seal.
pub(crate) fn roles_and_seal(conn: &mut DbConn, username: &str) -> (String, Option<String>) {
    use cartrec::db::schema::users;
    users::table
        .find(username)
        .select((users::roles, users::seal))
        .first(conn)
        .expect("a users row")
}

pub(crate) fn put_row(conn: &mut DbConn, username: &str, roles: &str, seal: Option<&str>) {
    use cartrec::db::schema::users;
    diesel::update(users::table.find(username))
        .set((users::roles.eq(roles), users::seal.eq(seal)))
        .execute(conn)
        .expect("a database user edits the row");
}

/// An edited `users` row grants nothing: the role added in the table is refused, the instance
/// stops trusting its ledger, and `verify` names the row.
///
/// Covers: GMP-EVT-3, GMP-LED-13, GMP-LED-14
#[tokio::test]
async fn an_edited_users_row_grants_nothing_and_the_service_goes_read_only() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let mut conn = app.db.connect();
    let (_, seal) = roles_and_seal(&mut conn, &operator.username);
    put_row(&mut conn, &operator.username, "admin", seal.as_deref());

    let (status, body) = problem(app.get("/api/v1/users", Some(&operator.token)).await).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("the users row of '{}'", operator.username)),
        "{body}"
    );
    let (status, body) = try_a_write(&app.address, &app.admin).await;
    assert_eq!(status, 503, "read-only for everyone: {body}");
    let login = app.login(&operator.username, &operator.password).await;
    assert_eq!(login.status(), 503, "no sign-in on the edited row");
    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    assert!(report.contains(&operator.username), "{report}");
}

/// A row put back as it was before a change (its old roles with their old, genuine seal) is
/// refused: the seal covers the newest account event of the user's stream. So is a seal copied
/// from another user's row.
///
/// Covers: GMP-LED-14
#[tokio::test]
async fn a_users_row_put_back_or_sealed_with_another_rows_seal_grants_nothing() {
    let app = spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let mut conn = app.db.connect();
    let (roles_before, seal_before) = roles_and_seal(&mut conn, &qa.username);
    let changed = app
        .post(
            &format!("/api/v1/users/{}/roles", qa.username),
            Some(&app.admin.token),
            &json!({ "roles": ["operator"] }),
        )
        .await;
    assert!(changed.status().is_success(), "{}", changed.status());
    put_row(
        &mut conn,
        &qa.username,
        &roles_before,
        seal_before.as_deref(),
    );
    let login = app.login(&qa.username, &qa.password).await;
    assert_eq!(login.status(), 503, "the old row is not the current one");

    let second = spawn_app().await;
    let qp = second.user_with_roles(&["qp"]).await;
    let other = second.user_with_roles(&["operator"]).await;
    let mut conn = second.db.connect();
    let (_, other_seal) = roles_and_seal(&mut conn, &other.username);
    put_row(&mut conn, &qp.username, "qp", other_seal.as_deref());
    let login = second.login(&qp.username, &qp.password).await;
    assert_eq!(login.status(), 503, "a seal belongs to one row");
}

/// A row from before seals (no seal) is sealed once the restarted service has verified its
/// ledger in full, if it says what the ledger says; one that disagrees stays unsealed and
/// grants nothing. Until then neither grants anything, and no alarm is raised.
///
/// Covers: GMP-LED-14
#[tokio::test]
async fn rows_from_before_seals_are_sealed_after_a_full_verification_only_when_the_ledger_agrees() {
    let app = spawn_app().await;
    let agreeing = app.user_with_roles(&["operator"]).await;
    let edited = app.user_with_roles(&["qc_analyst"]).await;
    let mut conn = app.db.connect();
    let (roles, _) = roles_and_seal(&mut conn, &agreeing.username);
    put_row(&mut conn, &agreeing.username, &roles, None);
    put_row(&mut conn, &edited.username, "qa", None);

    let restarted = restart(&app).await;
    let login = |user: &TestUser| {
        reqwest::Client::new()
            .post(format!("{restarted}/api/v1/auth/login"))
            .json(&json!({ "username": user.username, "password": user.password }))
            .send()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let answer = login(&agreeing).await.expect("sent");
        if answer.status() == 200 {
            break;
        }
        let (status, body) = problem(answer).await;
        assert_eq!(status, 503, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("has no seal yet"),
            "{body}"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the agreeing row was never sealed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (_, seal) = roles_and_seal(&mut conn, &edited.username);
    assert!(seal.is_none(), "a disagreeing row is not sealed");
    let answer = login(&edited).await.expect("sent");
    assert_eq!(answer.status(), 503, "and grants nothing");
    let (status, body) = try_a_write(&restarted, &app.admin).await;
    assert!(
        status.is_success(),
        "no alarm for a row without a seal: {body}"
    );
}

/// A `sessions` row revived (its end cleared) or prolonged (its expiry moved) in the database
/// grants nothing: the token is refused, the instance goes read-only, and `verify` names the
/// row.
///
/// Covers: GMP-LED-14
#[tokio::test]
async fn a_revived_or_prolonged_session_row_grants_nothing() {
    use cartrec::db::schema::sessions;
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let out = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&operator.token)
        .send()
        .await
        .expect("sent");
    assert!(out.status().is_success(), "{}", out.status());
    diesel::update(sessions::table.filter(sessions::username.eq(&operator.username)))
        .set((
            sessions::ended_at.eq(None::<chrono::NaiveDateTime>),
            sessions::end_reason.eq(None::<String>),
        ))
        .execute(&mut app.db.connect())
        .expect("a database user revives the session");
    let (status, body) = problem(app.get("/api/v1/users/me", Some(&operator.token)).await).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("session row"),
        "{body}"
    );
    let (ok, report) = cli_verify(&app);
    assert!(
        !ok && report.contains("does not match its seal"),
        "{report}"
    );

    let second = spawn_app().await;
    let qa = second.user_with_roles(&["qa"]).await;
    let later = chrono::Utc::now().naive_utc() + chrono::Duration::days(30);
    diesel::update(sessions::table.filter(sessions::username.eq(&qa.username)))
        .set(sessions::expires_at.eq(later))
        .execute(&mut second.db.connect())
        .expect("a database user prolongs the session");
    let (status, body) = problem(second.get("/api/v1/users/me", Some(&qa.token)).await).await;
    assert_eq!(status, 503, "a prolonged session is refused: {body}");
}
