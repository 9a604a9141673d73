//! Verification of a ledger that spans several read pages (2,000 entries each) and many
//! parallel chunks: a change behind the triggers' back in a later page is still named at its
//! exact seq, by `GET /api/v1/ledger/verify` and by `cartrec verify`, and the first of two
//! changes is the one named.

use cartrec::db::schema::ledger_entries::dsl as le;
use cartrec::db::schema::merkle_nodes::dsl as mn;
use cartrec::db::DbConn;
use cartrec::error::AppError;
use cartrec::ledger::{self, Actor, EventKind, NewEvent, Stream};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::ledger_integrity::{entry_count, load};

/// Past the second page boundary, with a partial last page.
const ENTRIES: i64 = 4_700;

/// `count` appends over 7 streams, 1,000 to a transaction.
fn append_many(conn: &mut DbConn, count: i64) {
    for chunk in 0..(count + 999) / 1_000 {
        let size = (count - chunk * 1_000).min(1_000);
        ledger::write(conn, |tx| {
            (0..size).try_for_each(|i| {
                let event = NewEvent::from_value(
                    Stream::parse(&format!("batch/PAGES-{}", i % 7)).expect("stream"),
                    EventKind::parse("test.appended").expect("kind"),
                    json!({ "chunk": chunk, "i": i, "note": "x".repeat((i % 13) as usize) }),
                )
                .expect("event");
                tx.append(&Actor::system(), event).map(drop)
            })
        })
        .map_err(AppError::from)
        .expect("appends");
    }
}

/// A superuser's way past the guards of both ledger tables.
fn drop_guards(app: &TestApp, conn: &mut DbConn) {
    let sql = if app.db.is_postgres() {
        "DROP TRIGGER ledger_entries_no_update_delete ON ledger_entries; \
         DROP TRIGGER merkle_nodes_no_update_delete ON merkle_nodes"
    } else {
        "DROP TRIGGER ledger_entries_no_update; DROP TRIGGER ledger_entries_no_delete; \
         DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete"
    };
    conn.batch_execute(sql)
        .expect("superuser drops the triggers");
}

async fn verify_answer(app: &TestApp, auditor: &TestUser) -> Value {
    let response = app.get("/api/v1/ledger/verify", Some(&auditor.token)).await;
    let status = response.status();
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn assert_fails_at(app: &TestApp, auditor: &TestUser, seq: i64, reason: &str) {
    let answer = verify_answer(app, auditor).await;
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["failure"]["seq"], seq, "{answer}");
    let stated = answer["failure"]["reason"].as_str().unwrap_or_default();
    assert!(stated.contains(reason), "{answer}");
}

fn set_payload(conn: &mut DbConn, seq: i64, payload: Vec<u8>) {
    diesel::update(le::ledger_entries.find(seq))
        .set(le::payload_bytes.eq(payload))
        .execute(conn)
        .expect("payload set");
}

fn set_entry_bytes(conn: &mut DbConn, seq: i64, bytes: Vec<u8>) {
    diesel::update(le::ledger_entries.find(seq))
        .set(le::entry_bytes.eq(bytes))
        .execute(conn)
        .expect("entry bytes set");
}

fn flipped(mut bytes: Vec<u8>, at: usize) -> Vec<u8> {
    bytes[at] ^= 0x01;
    bytes
}

/// Covers: P11-10a-1
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_a_later_page_is_named_at_its_exact_seq() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let mut conn = app.db.connect();
    app.sealed(|| append_many(&mut conn, ENTRIES));
    let total = entry_count(&mut conn);
    assert!(total > 2 * 2_000, "{total} entries span three pages");
    drop_guards(&app, &mut conn);

    // Two changed payloads in the third page: the first is named.
    let (first, second) = (load(&mut conn, 4_321), load(&mut conn, 4_567));
    set_payload(&mut conn, 4_567, flipped(second.payload_bytes.clone(), 3));
    set_payload(&mut conn, 4_321, flipped(first.payload_bytes.clone(), 3));
    assert_fails_at(
        &app,
        &auditor,
        4_321,
        "payload_bytes do not match payload_sha256",
    )
    .await;
    set_payload(&mut conn, 4_321, first.payload_bytes);
    assert_fails_at(
        &app,
        &auditor,
        4_567,
        "payload_bytes do not match payload_sha256",
    )
    .await;
    set_payload(&mut conn, 4_567, second.payload_bytes);

    // The last entry of the second page.
    let last_of_page = load(&mut conn, 3_999);
    let at = last_of_page.entry_bytes.len() - 2;
    set_entry_bytes(
        &mut conn,
        3_999,
        flipped(last_of_page.entry_bytes.clone(), at),
    );
    assert_fails_at(&app, &auditor, 3_999, "hash does not match").await;
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("seq 3999: hash does not match"), "{stdout}");
    set_entry_bytes(&mut conn, 3_999, last_of_page.entry_bytes);

    // A gap where the second page begins.
    diesel::update(le::ledger_entries.find(2_000))
        .set(le::seq.eq(1_000_000))
        .execute(&mut conn)
        .expect("renumbered");
    assert_fails_at(
        &app,
        &auditor,
        2_000,
        "entry is missing (the next stored entry has seq 2001)",
    )
    .await;
    diesel::update(le::ledger_entries.find(1_000_000))
        .set(le::seq.eq(2_000))
        .execute(&mut conn)
        .expect("renumbered back");

    // A stored subtree of the third page.
    let node = mn::merkle_nodes.filter(mn::level.eq(1).and(mn::idx.eq(2_160)));
    let stored: Vec<u8> = node.select(mn::hash).first(&mut conn).expect("node stored");
    diesel::update(node)
        .set(mn::hash.eq(flipped(stored.clone(), 0)))
        .execute(&mut conn)
        .expect("node changed");
    assert_fails_at(
        &app,
        &auditor,
        4_320,
        "Merkle node (level 1, index 2160) over seq 4320..=4321 does not match the hash \
         recomputed from those entries",
    )
    .await;
    diesel::update(node)
        .set(mn::hash.eq(stored))
        .execute(&mut conn)
        .expect("node restored");

    // Everything put back: the whole ledger verifies again.
    let answer = verify_answer(&app, &auditor).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["entries"], total, "{answer}");
}
