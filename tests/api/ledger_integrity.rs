//! The ledger's invariants against a real database: gapless and linked under concurrency
//! (threads and separate processes), refused by the database itself when changed, and any
//! change made behind the triggers' back caught by `cartrec verify`, naming the entry.

use cartrec::db::schema::ledger_entries::dsl as le;
use cartrec::db::{build_pool, DbConn};
use cartrec::error::AppError;
use cartrec::ledger::{self, Actor, Entry, EventKind, NewEvent, Stream};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

fn append_test_events(conn: &mut DbConn, writer: &str, count: usize) {
    let stream = Stream::parse(&format!("batch/{writer}")).expect("stream");
    for i in 0..count {
        let event = NewEvent::from_value(
            stream.clone(),
            EventKind::parse("test.appended").expect("kind"),
            json!({ "writer": writer, "i": i }),
        )
        .expect("event");
        ledger::write(conn, |tx| {
            tx.append(&Actor::system(), event).map_err(AppError::from)
        })
        .expect("append");
    }
}

fn entry_count(conn: &mut DbConn) -> i64 {
    le::ledger_entries.count().get_result(conn).expect("count")
}

fn assert_verifies(app: &TestApp, expected_entries: i64) {
    let report = ledger::verify(&mut app.db.connect()).expect("verify runs");
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.entries as i64, expected_entries);
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.starts_with(&format!("ok: {expected_entries} entries, head ")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_threads_appending_at_once_stay_gapless_and_linked() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 8).expect("pool");
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                append_test_events(&mut pool.get().expect("connection"), &format!("T{w}"), 500)
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer finished");
    }
    let mut conn = app.db.connect();
    let seqs: Vec<i64> = le::ledger_entries
        .select(le::seq)
        .order(le::seq)
        .load(&mut conn)
        .expect("seqs");
    assert_eq!(seqs, (0..before + 4000).collect::<Vec<_>>());
    for w in 0..8 {
        let stream_seqs: Vec<i64> = le::ledger_entries
            .filter(le::stream.eq(format!("batch/T{w}")))
            .select(le::stream_seq)
            .order(le::seq)
            .load(&mut conn)
            .expect("stream seqs");
        assert_eq!(stream_seqs, (0..500).collect::<Vec<_>>());
    }
    assert_verifies(&app, before + 4000);
}

const CHILD_URL: &str = "CARTREC_TEST_CHILD_URL";
const CHILD_NAME: &str = "CARTREC_TEST_CHILD_NAME";

/// The body of a child process started by `two_processes_appending_at_once_stay_linear`.
#[test]
#[ignore = "a child process of two_processes_appending_at_once_stay_linear"]
fn child_appender() {
    let (Ok(url), Ok(name)) = (std::env::var(CHILD_URL), std::env::var(CHILD_NAME)) else {
        return;
    };
    let mut conn = cartrec::db::ConnectionManager::new(&url)
        .connect()
        .expect("connect");
    append_test_events(&mut conn, &name, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_appending_at_once_stay_linear() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let children: Vec<_> = ["P1", "P2"]
        .iter()
        .map(|name| {
            std::process::Command::new(std::env::current_exe().expect("test binary"))
                .args([
                    "ledger_integrity::child_appender",
                    "--exact",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env(CHILD_URL, &app.db.url)
                .env(CHILD_NAME, name)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("child starts")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("child ends").success());
    }
    assert_verifies(&app, before + 800);
}

fn assert_refused(conn: &mut DbConn, sql: &str) {
    let result = conn.batch_execute(sql);
    assert!(result.is_err(), "the database accepted: {sql}");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_ledger_rows() {
    let app = spawn_app().await;
    let mut conn = app.db.connect();
    let before = entry_count(&mut conn);
    assert_refused(
        &mut conn,
        "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 0",
    );
    assert_refused(&mut conn, "DELETE FROM ledger_entries WHERE seq = 1");
    assert_refused(&mut conn, "DELETE FROM ledger_head");
    if app.db.is_postgres() {
        assert_refused(&mut conn, "TRUNCATE ledger_entries");
        conn.batch_execute("SET session_replication_role = replica")
            .expect("superuser may set it");
        assert_refused(
            &mut conn,
            "UPDATE ledger_entries SET actor = 'mallory' WHERE seq = 0",
        );
        assert_refused(&mut conn, "DELETE FROM ledger_entries WHERE seq = 1");
        assert_refused(&mut conn, "TRUNCATE ledger_entries");
        conn.batch_execute("SET session_replication_role = origin")
            .expect("reset");
    }
    assert_eq!(entry_count(&mut conn), before);
    assert_verifies(&app, before);
}

/// A superuser who drops the triggers can change rows; verification must then fail and
/// name the first bad entry.
async fn tampered_app() -> (TestApp, DbConn) {
    let app = spawn_app().await;
    app.user_with_roles(&["operator"]).await;
    app.user_with_roles(&["qa"]).await;
    let mut conn = app.db.connect();
    let drop_triggers = if app.db.is_postgres() {
        "DROP TRIGGER ledger_entries_no_update_delete ON ledger_entries"
    } else {
        "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete"
    };
    conn.batch_execute(drop_triggers)
        .expect("superuser drops the triggers");
    (app, conn)
}

fn load(conn: &mut DbConn, seq: i64) -> Entry {
    le::ledger_entries
        .find(seq)
        .select(Entry::as_select())
        .first(conn)
        .expect("entry")
}

fn assert_verify_fails_at(app: &TestApp, seq: i64, reason: &str) {
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "verify passed: {stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains(&format!("seq {seq}: ")), "{stdout}");
    assert!(stdout.contains(reason), "{stdout}");
}

#[tokio::test]
async fn one_changed_payload_byte_is_caught() {
    let (app, mut conn) = tampered_app().await;
    let mut payload = load(&mut conn, 5).payload_bytes;
    payload[3] ^= 0x01;
    diesel::update(le::ledger_entries.find(5))
        .set(le::payload_bytes.eq(payload))
        .execute(&mut conn)
        .expect("tampered");
    assert_verify_fails_at(&app, 5, "payload_bytes do not match payload_sha256");
}

#[tokio::test]
async fn one_changed_entry_byte_is_caught() {
    let (app, mut conn) = tampered_app().await;
    let mut bytes = load(&mut conn, 6).entry_bytes;
    let last = bytes.len() - 2;
    bytes[last] ^= 0x01;
    diesel::update(le::ledger_entries.find(6))
        .set(le::entry_bytes.eq(bytes))
        .execute(&mut conn)
        .expect("tampered");
    assert_verify_fails_at(&app, 6, "hash does not match");
}

#[tokio::test]
async fn a_deleted_middle_row_is_caught() {
    let (app, mut conn) = tampered_app().await;
    diesel::delete(le::ledger_entries.find(4))
        .execute(&mut conn)
        .expect("deleted");
    assert_verify_fails_at(&app, 4, "entry is missing");
}

#[tokio::test]
async fn a_swapped_pair_of_rows_is_caught() {
    let (app, mut conn) = tampered_app().await;
    // Exchange the positions of entries 3 and 4, through a free seq.
    for (from, to) in [(3, 1_000_000), (4, 3), (1_000_000, 4)] {
        diesel::update(le::ledger_entries.find(from))
            .set(le::seq.eq(to))
            .execute(&mut conn)
            .expect("renumbered");
    }
    assert_verify_fails_at(
        &app,
        3,
        "entry_bytes disagree with the stored columns (seq)",
    );
}
