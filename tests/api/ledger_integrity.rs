//! The ledger's invariants against a real database: gapless and linked under concurrency
//! (threads and separate processes), refused by the database itself when changed, and any
//! change made behind the triggers' back caught by `cartrec verify`, naming the entry.

use cartrec::db::schema::ledger_entries::dsl as le;
use cartrec::db::{build_pool, DbConn};
use cartrec::error::AppError;
use cartrec::ledger::{
    self, leaf_hash, Actor, Entry, EventKind, NewEvent, Position, Stream, ZERO_HASH,
};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

pub(crate) fn append_test_events(conn: &mut DbConn, writer: &str, count: usize) {
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

pub(crate) fn entry_count(conn: &mut DbConn) -> i64 {
    le::ledger_entries.count().get_result(conn).expect("count")
}

pub(crate) fn assert_verifies(app: &TestApp, expected_entries: i64) {
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

/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_threads_appending_at_once_stay_gapless_and_linked() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 8).expect("pool");
    let sealer = app.sealer();
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (pool, sealer) = (pool.clone(), sealer.clone());
            std::thread::spawn(move || {
                ledger::heads::within(Some(&sealer), || {
                    append_test_events(&mut pool.get().expect("connection"), &format!("T{w}"), 500)
                })
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

const CHILD_START: &str = "CARTREC_TEST_CHILD_START";
const CHILD_DATA_DIR: &str = "CARTREC_TEST_CHILD_DATA_DIR";
const CHILD_APPENDS: usize = 500;

/// The body of a child process started by `two_processes_appending_at_once_stay_linear`.
#[test]
#[ignore = "a child process of two_processes_appending_at_once_stay_linear"]
fn child_appender() {
    let (Ok(url), Ok(name), Ok(start), Ok(data_dir)) = (
        std::env::var(CHILD_URL),
        std::env::var(CHILD_NAME),
        std::env::var(CHILD_START),
        std::env::var(CHILD_DATA_DIR),
    ) else {
        return;
    };
    let mut conn = cartrec::db::ConnectionManager::new(&url)
        .connect()
        .expect("connect");
    // Both children begin together, when the parent creates the start file.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::path::Path::new(&start).exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // A second instance of the same server: it signs with the same key.
    let sealer = crate::helpers::sealer_for(std::path::Path::new(&data_dir));
    ledger::heads::within(Some(&sealer), || {
        append_test_events(&mut conn, &name, CHILD_APPENDS)
    });
}

/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_appending_at_once_stay_linear() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let start = app.data_dir.path().join("start");
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
                .env(CHILD_START, &start)
                .env(CHILD_DATA_DIR, app.data_dir.path())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("child starts")
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    std::fs::write(&start, b"go").expect("start file");
    for mut child in children {
        assert!(child.wait().expect("child ends").success());
    }
    // On PostgreSQL, waiters for the head row's lock are served in order, so two processes
    // started together interleave their appends: proof that they really ran at once. (SQLite's
    // busy handler is not fair: a waiting process sleeps while the other keeps the lock, so
    // there they contend without interleaving.)
    if app.db.is_postgres() {
        let streams: Vec<String> = le::ledger_entries
            .filter(le::stream.eq_any(["batch/P1", "batch/P2"]))
            .order(le::seq)
            .select(le::stream)
            .load(&mut app.db.connect())
            .expect("streams");
        let switches = streams.windows(2).filter(|pair| pair[0] != pair[1]).count();
        assert!(
            switches >= 2,
            "the children did not overlap ({switches} switches)"
        );
    }
    assert_verifies(&app, before + 2 * CHILD_APPENDS as i64);
}

/// The statement fails, and because of the ledger's own guard (not, say, a typo).
fn assert_refused(conn: &mut DbConn, sql: &str) {
    let error = conn.batch_execute(sql).expect_err(sql).to_string();
    assert!(
        error.contains("append-only") || error.contains("must keep its row"),
        "{sql}: {error}"
    );
}

/// Covers: P11-10c-1, GMP-LED-4
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

pub(crate) fn load(conn: &mut DbConn, seq: i64) -> Entry {
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

/// Covers: P11-10a-1
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

/// Covers: P11-10a-1
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

/// Covers: P11-10a-1
#[tokio::test]
async fn a_deleted_middle_row_is_caught() {
    let (app, mut conn) = tampered_app().await;
    diesel::delete(le::ledger_entries.find(4))
        .execute(&mut conn)
        .expect("deleted");
    assert_verify_fails_at(&app, 4, "entry is missing");
}

/// Covers: P11-10a-1
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

/// Replaces every column of row `seq` with `entry`'s (as a superuser could).
fn overwrite(conn: &mut DbConn, seq: i64, entry: &Entry) {
    diesel::update(le::ledger_entries.find(seq))
        .set((
            le::stream.eq(&entry.stream),
            le::stream_seq.eq(entry.stream_seq),
            le::kind.eq(&entry.kind),
            le::actor.eq(&entry.actor),
            le::recorded_at.eq(&entry.recorded_at),
            le::payload_sha256.eq(&entry.payload_sha256),
            le::prev_hash.eq(&entry.prev_hash),
            le::stream_prev_hash.eq(&entry.stream_prev_hash),
            le::hash.eq(&entry.hash),
            le::entry_bytes.eq(&entry.entry_bytes),
            le::payload_bytes.eq(&entry.payload_bytes),
        ))
        .execute(conn)
        .expect("overwritten");
}

/// Entry `seq` rebuilt, self-consistently hashed, with another payload and stream link.
pub(crate) fn forged(original: &Entry, stream_prev_hash: [u8; 32]) -> Entry {
    let position = Position {
        seq: original.seq,
        prev_hash: original.prev_hash.as_slice().try_into().expect("32 bytes"),
        stream_seq: original.stream_seq,
        stream_prev_hash,
    };
    let event = NewEvent::from_value(
        Stream::parse(&original.stream).expect("stream"),
        EventKind::parse(&original.kind).expect("kind"),
        json!({ "forged": true }),
    )
    .expect("event");
    Entry::seal(
        position,
        &Actor::system(),
        &event,
        original.recorded_at.clone(),
    )
    .expect("sealed")
}

/// Covers: P11-10a-1
#[tokio::test]
async fn a_rewritten_entry_with_a_recomputed_hash_is_named_where_its_signed_head_disagrees() {
    let (app, mut conn) = tampered_app().await;
    let original = load(&mut conn, 5);
    let stream_prev = original
        .stream_prev_hash
        .as_slice()
        .try_into()
        .expect("32 bytes");
    overwrite(&mut conn, 5, &forged(&original, stream_prev));
    // The signed tree head of size 6 names the original entry 5: the rewrite is named there,
    // before the broken link to entry 6.
    assert_verify_fails_at(
        &app,
        5,
        "the signed tree head of size 6 names another history",
    );
}

/// Covers: P11-10a-1
#[tokio::test]
async fn a_broken_stream_link_is_caught() {
    let (app, mut conn) = tampered_app().await;
    let last_seq = entry_count(&mut conn) - 1;
    let last = load(&mut conn, last_seq);
    assert!(last.stream_seq > 0, "the last entry continues a stream");
    overwrite(&mut conn, last_seq, &forged(&last, ZERO_HASH));
    assert_verify_fails_at(&app, last_seq, "stream_prev_hash does not equal");
}

/// Covers: P11-10a-1, GMP-LED-2
#[tokio::test]
async fn entry_bytes_that_are_not_canonical_are_caught_even_with_a_matching_hash() {
    let (app, mut conn) = tampered_app().await;
    let mut entry = load(&mut conn, 5);
    let header: serde_json::Value = serde_json::from_slice(&entry.entry_bytes).expect("JSON");
    entry.entry_bytes = serde_json::to_vec_pretty(&header).expect("pretty JSON");
    entry.hash = leaf_hash(&entry.entry_bytes).to_vec();
    overwrite(&mut conn, 5, &entry);
    assert_verify_fails_at(&app, 5, "entry_bytes are not in RFC 8785 canonical form");
}
