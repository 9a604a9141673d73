//! The Merkle tree through the service: proofs answered by `GET /api/v1/ledger/proof/*` against
//! a tree recomputed here from the entries' hashes, the ranges refused, and `cartrec verify`
//! naming a bad stored subtree or a truncated tail. (Entries written around the appender are no
//! longer caught up but refused: `authenticity.rs`.)

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cartrec::db::DbConn;
use cartrec::ledger::merkle::{verify_consistency, verify_inclusion};
use diesel::connection::SimpleConnection;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::ledger_integrity::{append_test_events, entry_count};

type Hash = [u8; 32];

/// RFC 6962 §2.1 MTH over `leaves`, written out from the RFC.
fn mth(leaves: &[Hash]) -> Hash {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let k = leaves.len().next_power_of_two() / 2;
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(mth(&leaves[..k]));
    hasher.update(mth(&leaves[k..]));
    hasher.finalize().into()
}

/// RFC 6962 PATH(m, leaves).
fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = leaves.len().next_power_of_two() / 2;
    let (mut proof, sibling) = if m < k {
        (path(m, &leaves[..k]), mth(&leaves[k..]))
    } else {
        (path(m - k, &leaves[k..]), mth(&leaves[..k]))
    };
    proof.push(sibling);
    proof
}

/// RFC 6962 SUBPROOF(m, leaves, whole).
fn subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
    if m == leaves.len() {
        return if whole { Vec::new() } else { vec![mth(leaves)] };
    }
    let k = leaves.len().next_power_of_two() / 2;
    let (mut proof, sibling) = if m <= k {
        (subproof(m, &leaves[..k], whole), mth(&leaves[k..]))
    } else {
        (subproof(m - k, &leaves[k..], false), mth(&leaves[..k]))
    };
    proof.push(sibling);
    proof
}

fn b64(hash: &Hash) -> String {
    STANDARD.encode(hash)
}

fn hashes(list: &Value) -> Vec<Hash> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|h| {
            STANDARD
                .decode(h.as_str().expect("base64 text"))
                .expect("standard base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect()
}

/// The leaf hashes, as anyone with the auditor's API can read them.
async fn leaves(app: &TestApp, auditor: &TestUser) -> Vec<Hash> {
    app.ledger_entries(auditor)
        .await
        .iter()
        .map(|e| {
            hex::decode(e["hash"].as_str().expect("hash"))
                .expect("hex")
                .try_into()
                .expect("32 bytes")
        })
        .collect()
}

async fn get_ok(app: &TestApp, auditor: &TestUser, path: &str) -> Value {
    let response = app.get(path, Some(&auditor.token)).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

/// Every inclusion and consistency proof of the trees of `sizes` entries (every size when
/// `None`), checked against the RFC's own definitions over the entries' hashes and with the
/// verifier.
async fn assert_proofs_match(app: &TestApp, auditor: &TestUser, sizes: Option<&[usize]>) {
    let leaves = leaves(app, auditor).await;
    let n = leaves.len();
    let every: Vec<usize> = (1..=n).collect();
    for &size in sizes.unwrap_or(&every) {
        let root = mth(&leaves[..size]);
        let stored_root = cartrec::ledger::root(&mut app.db.connect(), size as u64);
        assert_eq!(stored_root.expect("root"), root, "root at {size}");
        for index in 0..size {
            let answer = get_ok(
                app,
                auditor,
                &format!("/api/v1/ledger/proof/inclusion?index={index}&size={size}"),
            )
            .await;
            let proof = hashes(&answer["proof"]);
            assert_eq!(proof, path(index, &leaves[..size]), "{index} in {size}");
            assert_eq!(answer["root"], b64(&root));
            assert_eq!(answer["leaf_hash"], b64(&leaves[index]));
            assert_eq!(
                verify_inclusion(&leaves[index], index as u64, size as u64, &proof, &root),
                Ok(())
            );
        }
        for from in 1..=size {
            let answer = get_ok(
                app,
                auditor,
                &format!("/api/v1/ledger/proof/consistency?from={from}&to={size}"),
            )
            .await;
            let proof = hashes(&answer["proof"]);
            let old_root = mth(&leaves[..from]);
            assert_eq!(
                proof,
                subproof(from, &leaves[..size], true),
                "{from} to {size}"
            );
            assert_eq!(answer["from_root"], b64(&old_root));
            assert_eq!(answer["to_root"], b64(&root));
            assert_eq!(
                verify_consistency(from as u64, size as u64, &proof, &old_root, &root),
                Ok(())
            );
        }
    }
    let report = get_ok(app, auditor, "/api/v1/ledger/verify").await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["root"], b64(&mth(&leaves)));
}

/// Covers: GMP-LED-3
#[tokio::test]
async fn every_proof_the_service_gives_matches_the_tree_recomputed_from_the_entries() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    // Past 32 entries, so that subtrees of level 5 exist and the last tree is incomplete.
    let have = entry_count(&mut app.db.connect()) as usize;
    app.sealed(|| {
        append_test_events(
            &mut app.db.connect(),
            "merkle",
            37_usize.saturating_sub(have),
        )
    });
    assert_proofs_match(&app, &auditor, None).await;
}

/// Covers: GMP-LED-3, P11-10g
#[tokio::test]
async fn proofs_outside_the_ledger_are_refused_and_only_auditors_get_them() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let n = entry_count(&mut app.db.connect());
    let inclusion = "/api/v1/ledger/proof/inclusion";
    let consistency = "/api/v1/ledger/proof/consistency";
    for (query, status) in [
        (format!("{inclusion}?index={n}&size={n}"), 422),
        (format!("{inclusion}?index=0&size=0"), 422),
        (format!("{inclusion}?index=0&size={}", n + 1), 422),
        (
            format!("{inclusion}?index=0&size=18446744073709551615"),
            422,
        ),
        (format!("{inclusion}?index=-1&size={n}"), 400),
        (format!("{inclusion}?index=0"), 400),
        (format!("{inclusion}?index=0&size={n}&extra=1"), 400),
        (format!("{consistency}?from=0&to={n}"), 422),
        (format!("{consistency}?from=2&to=1"), 422),
        (format!("{consistency}?from=1&to={}", n + 1), 422),
        (format!("{consistency}?from=x&to=1"), 400),
    ] {
        let (actual, body) = problem(app.get(&query, Some(&auditor.token)).await).await;
        assert_eq!(actual, status, "{query}: {body}");
        if status == 422 {
            assert_eq!(body["code"], "invalid_proof_request", "{query}");
        }
    }
    for token in [&qa.token, &app.admin.token] {
        for path in [
            format!("{inclusion}?index=0&size=1"),
            format!("{consistency}?from=1&to=1"),
        ] {
            assert_eq!(app.get(&path, Some(token)).await.status(), 403, "{path}");
        }
    }
    let same = get_ok(&app, &auditor, &format!("{consistency}?from={n}&to={n}")).await;
    assert_eq!(same["proof"], json!([]));
    assert_eq!(same["from_root"], same["to_root"]);
}

fn cli_verify(app: &TestApp) -> (bool, String) {
    let output = app.run_cli(&["verify"]);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

/// A superuser's way past the merkle_nodes triggers.
fn drop_node_guards(app: &TestApp, conn: &mut DbConn) {
    let sql = if app.db.is_postgres() {
        "DROP TRIGGER merkle_nodes_no_update_delete ON merkle_nodes"
    } else {
        "DROP TRIGGER merkle_nodes_no_update; DROP TRIGGER merkle_nodes_no_delete"
    };
    conn.batch_execute(sql)
        .expect("superuser drops the triggers");
}

/// Covers: P11-10a-1
#[tokio::test]
async fn verify_names_a_stored_subtree_that_differs_from_the_entries() {
    let app = spawn_app().await;
    let mut conn = app.db.connect();
    app.sealed(|| append_test_events(&mut conn, "tree", 16));
    drop_node_guards(&app, &mut conn);
    let flip = if app.db.is_postgres() {
        "UPDATE merkle_nodes SET hash = set_byte(hash, 0, get_byte(hash, 0) # 1) \
         WHERE level = 2 AND idx = 1"
    } else {
        "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1"
    };
    conn.batch_execute(flip).expect("tampered");
    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    assert!(
        report.contains(
            "seq 4: Merkle node (level 2, index 1) over seq 4..=7 does not match the hash \
             recomputed from those entries"
        ),
        "{report}"
    );
}

/// Covers: P11-10a-1, GMP-LED-7
#[tokio::test]
async fn verify_names_a_truncated_tail_the_chain_alone_cannot_see() {
    let app = spawn_app().await;
    let mut conn = app.db.connect();
    app.sealed(|| append_test_events(&mut conn, "tail", 16));
    let drop_entry_guard = if app.db.is_postgres() {
        "DROP TRIGGER ledger_entries_no_update_delete ON ledger_entries"
    } else {
        "DROP TRIGGER ledger_entries_no_delete"
    };
    conn.batch_execute(drop_entry_guard)
        .expect("superuser drops the trigger");
    conn.batch_execute("DELETE FROM ledger_entries WHERE seq >= 4")
        .expect("tail removed");
    let (ok, report) = cli_verify(&app);
    assert!(!ok, "{report}");
    assert!(
        report.contains(
            "seq 4: Merkle node (level 1, index 2) over seq 4..=5 covers entries past the last \
             one (4 entries): entries were removed from the end"
        ),
        "{report}"
    );
}
