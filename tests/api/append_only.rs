//! Append-only from the attacker's side: an insert can only extend the ledger. No conflict
//! clause (SQLite's REPLACE, IGNORE, ROLLBACK, FAIL, ABORT; upsert on both backends) can
//! overwrite a row, and a row that is not the next link of the chain is refused by the
//! database, with the reason.

use cartrec::db::schema::ledger_entries::dsl as le;
use cartrec::db::DbConn;
use cartrec::ledger::{Actor, Entry, EventKind, NewEvent, Position, Stream, ZERO_HASH};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::ledger_integrity::{assert_verifies, entry_count, forged, load};
use crate::signatures::{entry_of, sign_ok};

const EXTEND: &str = "ledger_entries is append-only: an insert must extend the ledger";

/// The statement fails, and with this message from the database's own guard.
fn assert_refused_with(conn: &mut DbConn, sql: &str, expected: &str) {
    let error = conn.batch_execute(sql).expect_err(sql).to_string();
    assert!(error.contains(expected), "{sql}\n  refused with: {error}");
}

/// A byte-string literal in the backend's SQL.
fn blob(app: &TestApp, bytes: &[u8]) -> String {
    if app.db.is_postgres() {
        format!("'\\x{}'::bytea", hex::encode(bytes))
    } else {
        format!("X'{}'", hex::encode(bytes))
    }
}

const COLUMNS: &str = "seq, v, stream, stream_seq, kind, actor, recorded_at, payload_sha256, \
                       prev_hash, stream_prev_hash, hash, entry_bytes, payload_bytes";

fn values(app: &TestApp, e: &Entry) -> String {
    format!(
        "({}, {}, '{}', {}, '{}', '{}', '{}', '{}', {}, {}, {}, {}, {})",
        e.seq,
        e.v,
        e.stream,
        e.stream_seq,
        e.kind,
        e.actor,
        e.recorded_at,
        e.payload_sha256,
        blob(app, &e.prev_hash),
        blob(app, &e.stream_prev_hash),
        blob(app, &e.hash),
        blob(app, &e.entry_bytes),
        blob(app, &e.payload_bytes),
    )
}

/// Every way each backend offers to turn an insert into an overwrite or a silent no-op.
fn overwriting_inserts(app: &TestApp, entry: &Entry) -> Vec<String> {
    let values = values(app, entry);
    let upsert = "ON CONFLICT (seq) DO UPDATE SET payload_bytes = excluded.payload_bytes, \
                  payload_sha256 = excluded.payload_sha256, entry_bytes = excluded.entry_bytes, \
                  hash = excluded.hash, stream_prev_hash = excluded.stream_prev_hash";
    let mut statements = vec![
        format!("INSERT INTO ledger_entries ({COLUMNS}) VALUES {values}"),
        format!("INSERT INTO ledger_entries ({COLUMNS}) VALUES {values} {upsert}"),
        format!("INSERT INTO ledger_entries ({COLUMNS}) VALUES {values} ON CONFLICT DO NOTHING"),
    ];
    if !app.db.is_postgres() {
        for verb in [
            "REPLACE",
            "INSERT OR REPLACE",
            "INSERT OR IGNORE",
            "INSERT OR ROLLBACK",
            "INSERT OR FAIL",
            "INSERT OR ABORT",
        ] {
            statements.push(format!(
                "{verb} INTO ledger_entries ({COLUMNS}) VALUES {values}"
            ));
        }
    }
    statements
}

/// A ledger with a few accounts' worth of entries.
async fn app_with_entries() -> TestApp {
    let app = spawn_app().await;
    app.user_with_roles(&["operator"]).await;
    app.user_with_roles(&["qa"]).await;
    app.sealed(|| crate::ledger_integrity::append_test_events(&mut app.db.connect(), "test", 3));
    app
}

/// Covers: P11-10c-1, GMP-LED-4
#[tokio::test]
async fn no_conflict_clause_can_overwrite_a_ledger_entry() {
    let app = app_with_entries().await;
    let mut conn = app.db.connect();
    let count = entry_count(&mut conn);
    let original = load(&mut conn, 5);
    let stream_prev = original.stream_prev_hash.as_slice().try_into().expect("32");
    // Entry 5 re-sealed with another payload, and the same with the chain's next seq.
    let rewritten = forged(&original, stream_prev);
    for sql in overwriting_inserts(&app, &rewritten) {
        assert_refused_with(&mut conn, &sql, EXTEND);
    }
    if app.db.is_postgres() {
        conn.batch_execute("SET session_replication_role = replica")
            .expect("superuser may set it");
        for sql in overwriting_inserts(&app, &rewritten) {
            assert_refused_with(&mut conn, &sql, EXTEND);
        }
        conn.batch_execute("SET session_replication_role = origin")
            .expect("reset");
    }
    assert_eq!(load(&mut conn, 5), original);
    assert_verifies(&app, count);
}

/// Where the next entry of `stream` goes, read as the appender reads it.
fn next_position(conn: &mut DbConn, stream: &str) -> Position {
    let last_seq = entry_count(conn) - 1;
    let last = load(conn, last_seq);
    let stream_last: Option<(i64, Vec<u8>)> = le::ledger_entries
        .filter(le::stream.eq(stream))
        .order(le::stream_seq.desc())
        .select((le::stream_seq, le::hash))
        .first(conn)
        .optional()
        .expect("stream head");
    let (stream_seq, stream_prev_hash) = match stream_last {
        Some((seq, hash)) => (seq + 1, hash.try_into().expect("32 bytes")),
        None => (0, ZERO_HASH),
    };
    Position {
        seq: last.seq + 1,
        prev_hash: last.hash.try_into().expect("32 bytes"),
        stream_seq,
        stream_prev_hash,
    }
}

fn sealed(position: Position, stream: &str) -> Entry {
    let event = NewEvent::from_value(
        Stream::parse(stream).expect("stream"),
        EventKind::parse("test.inserted_by_hand").expect("kind"),
        json!({ "by": "hand" }),
    )
    .expect("event");
    Entry::seal(
        position,
        &Actor::system(),
        &event,
        "2026-11-25T10:00:00.000000Z".to_owned(),
    )
    .expect("sealed")
}

fn insert(conn: &mut DbConn, entry: &Entry) -> Result<usize, String> {
    diesel::insert_into(le::ledger_entries)
        .values(entry)
        .execute(conn)
        .map_err(|e| e.to_string())
}

fn assert_insert_refused(conn: &mut DbConn, entry: &Entry, reason: &str) {
    let error = insert(conn, entry).expect_err(reason);
    assert!(
        error.contains(&format!("{EXTEND} ({reason})")),
        "expected {reason}, got: {error}"
    );
}

/// Covers: P11-10c-1, GMP-LED-4
#[tokio::test]
async fn an_insert_that_does_not_extend_the_chain_is_refused_and_the_next_entry_is_not() {
    let app = app_with_entries().await;
    let mut conn = app.db.connect();
    let count = entry_count(&mut conn);
    // A stream of test events (a user stream holds only account events, which verify decodes).
    let stream = "batch/test";
    let next = next_position(&mut conn, stream);
    assert!(next.stream_seq > 0, "the test continues a stream");

    let skipped = Position {
        seq: next.seq + 1,
        ..next
    };
    assert_insert_refused(&mut conn, &sealed(skipped, stream), "seq is not the next");
    let wrong_prev = Position {
        prev_hash: [7; 32],
        ..next
    };
    assert_insert_refused(
        &mut conn,
        &sealed(wrong_prev, stream),
        "prev_hash is not the hash of the last entry",
    );
    let stream_gap = Position {
        stream_seq: next.stream_seq + 1,
        ..next
    };
    assert_insert_refused(
        &mut conn,
        &sealed(stream_gap, stream),
        "stream_seq is not the next in its stream",
    );
    let wrong_stream_link = Position {
        stream_prev_hash: ZERO_HASH,
        ..next
    };
    assert_insert_refused(
        &mut conn,
        &sealed(wrong_stream_link, stream),
        "stream_prev_hash is not the hash of the stream's last entry",
    );
    // A new stream's first entry links to zero bytes, not to anything else.
    let new_stream = next_position(&mut conn, "batch/new");
    let linked_new_stream = Position {
        stream_prev_hash: next.prev_hash,
        ..new_stream
    };
    assert_insert_refused(
        &mut conn,
        &sealed(linked_new_stream, "batch/new"),
        "stream_prev_hash is not the hash of the stream's last entry",
    );

    // A hash that is not the entry's own: PostgreSQL recomputes it; SQLite (no SHA-256 in
    // SQL) refuses one that repeats an existing entry's hash, and `verify` catches the rest.
    let mut wrong_hash = sealed(next, stream);
    wrong_hash.hash = load(&mut conn, 3).hash;
    let reason = if app.db.is_postgres() {
        "hash is not SHA-256(0x00 || entry_bytes)"
    } else {
        "hash already exists"
    };
    assert_insert_refused(&mut conn, &wrong_hash, reason);
    if app.db.is_postgres() {
        let mut flipped = sealed(next, stream);
        flipped.hash[0] ^= 0x01;
        assert_insert_refused(
            &mut conn,
            &flipped,
            "hash is not SHA-256(0x00 || entry_bytes)",
        );
    }
    assert_eq!(entry_count(&mut conn), count, "nothing was inserted");

    // The guard is not a refusal of everything: the right next entry, inserted by hand, is
    // accepted, and so is a new stream's first entry after it.
    assert_eq!(insert(&mut conn, &sealed(next, stream)), Ok(1));
    let first_of_stream = next_position(&mut conn, "batch/new");
    assert_eq!(first_of_stream.stream_seq, 0);
    assert_eq!(
        insert(&mut conn, &sealed(first_of_stream, "batch/new")),
        Ok(1)
    );
    // Both extend the chain, but no signed tree head covers them: not written by cartrec.
    let output = app.run_cli(&["verify"]);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains(&format!(
            "seq {count}: entries {count}..={} are covered by no signed tree head",
            count + 1
        )),
        "{printed}"
    );
}

/// Covers: GMP-LED-4
#[tokio::test]
async fn the_head_row_cannot_be_inserted_again() {
    let app = spawn_app().await;
    let mut conn = app.db.connect();
    let mut statements = vec![
        "INSERT INTO ledger_head (id) VALUES (1)",
        "INSERT INTO ledger_head (id) VALUES (1) ON CONFLICT DO NOTHING",
    ];
    if !app.db.is_postgres() {
        statements.extend(["REPLACE INTO ledger_head (id) VALUES (1)"]);
    }
    for sql in statements {
        assert_refused_with(&mut conn, sql, "ledger_head is append-only: INSERT refused");
    }
}

/// Statements that would replace, change or remove a row of an append-only projection.
/// `copy` selects an existing row's key with other values (ending in a WHERE clause, which
/// SQLite needs to parse an upsert after a SELECT).
fn projection_attacks(
    app: &TestApp,
    table: &str,
    columns: &str,
    copy: &str,
    key: &str,
) -> Vec<String> {
    let mut statements = vec![
        format!("INSERT INTO {table} ({columns}) {copy}"),
        format!(
            "INSERT INTO {table} ({columns}) {copy} ON CONFLICT ({key}) DO UPDATE SET {key_first} = excluded.{key_first}",
            key_first = key.split(',').next().expect("a key column").trim()
        ),
        format!("INSERT INTO {table} ({columns}) {copy} ON CONFLICT DO NOTHING"),
        format!("UPDATE {table} SET {columns_first} = {columns_first}", columns_first = columns.split(',').next().expect("a column").trim()),
        format!("DELETE FROM {table}"),
    ];
    if app.db.is_postgres() {
        statements.push(format!("TRUNCATE {table}"));
    } else {
        for verb in ["REPLACE", "INSERT OR REPLACE", "INSERT OR IGNORE"] {
            statements.push(format!("{verb} INTO {table} ({columns}) {copy}"));
        }
    }
    statements
}

fn rows(conn: &mut DbConn, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

fn assert_projection_is_append_only(app: &TestApp, table: &str, attacks: Vec<String>) {
    let mut conn = app.db.connect();
    let before = rows(&mut conn, table);
    assert!(before > 0, "{table} has a row to attack");
    let expected = format!("{table} is append-only");
    for sql in &attacks {
        assert_refused_with(&mut conn, sql, &expected);
    }
    if app.db.is_postgres() {
        conn.batch_execute("SET session_replication_role = replica")
            .expect("superuser may set it");
        for sql in &attacks {
            assert_refused_with(&mut conn, sql, &expected);
        }
        conn.batch_execute("SET session_replication_role = origin")
            .expect("reset");
    }
    assert_eq!(rows(&mut conn, table), before);
}

/// Covers: P11-10c-1, P11-70
#[tokio::test]
async fn signatures_cannot_be_replaced_changed_or_removed() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let (seq, _) = entry_of(&app, &auditor, &qa.username, "user.created").await;
    sign_ok(&app, &qa, seq, "reviewed").await;
    let columns = "signature_seq, entry_seq, entry_hash, signer, meaning";
    let mut attacks = projection_attacks(
        &app,
        "signatures",
        columns,
        // The same key with another meaning: a REPLACE would rewrite what was signed.
        "SELECT signature_seq, entry_seq, entry_hash, signer, 'approved' FROM signatures \
         WHERE true",
        "signature_seq, entry_seq",
    );
    // A replay: the same signer, meaning and content under a new key.
    attacks.push(format!(
        "INSERT INTO signatures ({columns}) \
         SELECT signature_seq + 1000, entry_seq, entry_hash, signer, meaning FROM signatures"
    ));
    let meanings = || -> Vec<String> {
        cartrec::db::schema::signatures::table
            .order(cartrec::db::schema::signatures::signature_seq)
            .select(cartrec::db::schema::signatures::meaning)
            .load(&mut app.db.connect())
            .expect("meanings")
    };
    let before = meanings();
    assert_eq!(before.last().map(String::as_str), Some("reviewed"));
    assert_projection_is_append_only(&app, "signatures", attacks);
    assert_eq!(meanings(), before);
}

/// Covers: P11-10c-1
#[tokio::test]
async fn password_history_cannot_be_replaced_changed_or_removed() {
    let app = spawn_app().await;
    let attacks = projection_attacks(
        &app,
        "password_history",
        "username, password_hash, set_at",
        "SELECT username, 'forged-hash', set_at FROM password_history WHERE true",
        "username, set_at",
    );
    assert_projection_is_append_only(&app, "password_history", attacks);
    let hashes: Vec<String> = cartrec::db::schema::password_history::table
        .select(cartrec::db::schema::password_history::password_hash)
        .load(&mut app.db.connect())
        .expect("hashes");
    assert!(
        hashes.iter().all(|h| h.starts_with("$argon2")),
        "{hashes:?}"
    );
}

/// Covers: P11-10c-1
#[tokio::test]
async fn merkle_nodes_cannot_be_replaced_changed_or_removed() {
    let app = app_with_entries().await;
    let attacks = projection_attacks(
        &app,
        "merkle_nodes",
        "level, idx, hash",
        // An existing node's key with its left child's hash.
        "SELECT level, idx, hash FROM merkle_nodes WHERE level = 1 AND idx = 1",
        "level, idx",
    );
    assert_projection_is_append_only(&app, "merkle_nodes", attacks);
    assert_verifies(&app, entry_count(&mut app.db.connect()));
}

/// Covers: GMP-LED-4
#[tokio::test]
async fn a_merkle_node_must_be_the_next_of_its_level_over_stored_children() {
    let app = app_with_entries().await;
    let mut conn = app.db.connect();
    let count = entry_count(&mut conn);
    let next = count / 2;
    let refused = |reason: &str| {
        format!("merkle_nodes is append-only: an insert must extend its level ({reason})")
    };
    // Level 1 is complete: its next node would cover entries that do not exist yet.
    assert_refused_with(
        &mut conn,
        &format!(
            "INSERT INTO merkle_nodes (level, idx, hash) VALUES (1, {next}, {})",
            blob(&app, &[7; 32])
        ),
        &refused("its children are not stored"),
    );
    // An existing node again, over children that do exist.
    assert_refused_with(
        &mut conn,
        &format!(
            "INSERT INTO merkle_nodes (level, idx, hash) VALUES (1, 0, {})",
            blob(&app, &[7; 32])
        ),
        &refused("idx is not the next"),
    );
    if app.db.is_postgres() {
        // Two entries later the node's children exist, and PostgreSQL recomputes its hash.
        insert_next_by_hand(&app, &mut conn, 2 - count % 2);
        assert_refused_with(
            &mut conn,
            &format!(
                "INSERT INTO merkle_nodes (level, idx, hash) VALUES (1, {next}, {})",
                blob(&app, &[7; 32])
            ),
            &refused("hash is not SHA-256(0x01 || left || right)"),
        );
    }
}

/// `count` valid next entries, inserted by hand in the batch/test stream.
fn insert_next_by_hand(_app: &TestApp, conn: &mut DbConn, count: i64) {
    for _ in 0..count {
        let next = next_position(conn, "batch/test");
        assert_eq!(insert(conn, &sealed(next, "batch/test")), Ok(1));
    }
}

/// Covers: P11-10c-1, GMP-LED-7
#[tokio::test]
async fn checkpoints_cannot_be_replaced_changed_or_removed() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    app.sign_checkpoint(&auditor).await;
    let attacks = projection_attacks(
        &app,
        "checkpoints",
        "size, root_hash, note, signed_at",
        // The same size with another note: a REPLACE would swap what was signed.
        "SELECT size, root_hash, 'forged note', signed_at FROM checkpoints WHERE true",
        "size",
    );
    assert_projection_is_append_only(&app, "checkpoints", attacks);
}
