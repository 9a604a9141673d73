//! The auditor's API: paging through entries whose hashes a client can recompute, and
//! verification over HTTP.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{problem, spawn_app};

fn bytes(entry: &Value, field: &str) -> Vec<u8> {
    STANDARD
        .decode(entry[field].as_str().expect("base64 field"))
        .expect("standard base64")
}

/// Covers: GMP-LED-1
#[tokio::test]
async fn entries_carry_bytes_from_which_every_hash_recomputes() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let entries = app.ledger_entries(&auditor).await;
    assert!(entries.len() >= 8);
    let mut prev = "0".repeat(64);
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry["seq"], i as i64);
        assert_eq!(entry["v"], 1);
        let entry_bytes = bytes(entry, "entry_bytes");
        let payload_bytes = bytes(entry, "payload_bytes");
        let mut leaf = vec![0u8];
        leaf.extend_from_slice(&entry_bytes);
        assert_eq!(entry["hash"], hex::encode(Sha256::digest(&leaf)));
        assert_eq!(
            entry["payload_sha256"],
            hex::encode(Sha256::digest(&payload_bytes))
        );
        assert_eq!(entry["prev_hash"], prev.as_str());
        let header: Value = serde_json::from_slice(&entry_bytes).expect("entry bytes are JSON");
        for field in [
            "seq",
            "stream",
            "stream_seq",
            "kind",
            "actor",
            "recorded_at",
            "prev_hash",
        ] {
            assert_eq!(header[field], entry[field], "{field}");
        }
        let payload: Value = serde_json::from_slice(&payload_bytes).expect("payload JSON");
        assert_eq!(payload, entry["payload"]);
        let recorded_at = entry["recorded_at"].as_str().expect("time");
        assert_eq!(
            recorded_at.len(),
            "2026-11-24T10:00:00.000000Z".len(),
            "{recorded_at}"
        );
        prev = entry["hash"].as_str().expect("hash").to_owned();
    }
}

#[tokio::test]
async fn entries_page_with_from_limit_and_next() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let page: Value = app
        .get(
            "/api/v1/ledger/entries?from=2&limit=3",
            Some(&auditor.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let seqs: Vec<i64> = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["seq"].as_i64().expect("seq"))
        .collect();
    assert_eq!(seqs, [2, 3, 4]);
    assert_eq!(page["next"], 5);
    let end: Value = app
        .get("/api/v1/ledger/entries?from=100000", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(end["entries"].as_array().map(Vec::len), Some(0));
    assert!(end["next"].is_null());
    for query in ["from=-1", "limit=0", "limit=100000", "from=abc", "bogus=1"] {
        let (status, _) = problem(
            app.get(
                &format!("/api/v1/ledger/entries?{query}"),
                Some(&auditor.token),
            )
            .await,
        )
        .await;
        assert_eq!(status, 400, "{query}");
    }
}

/// Covers: P11-10g
#[tokio::test]
async fn only_auditors_read_entries_and_auditors_or_admins_verify() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    assert_eq!(
        app.get("/api/v1/ledger/entries", Some(&app.admin.token))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get("/api/v1/ledger/entries", Some(&operator.token))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.get("/api/v1/ledger/verify", Some(&operator.token))
            .await
            .status(),
        403
    );
    let entries = app.ledger_entries(&auditor).await;
    for token in [&auditor.token, &app.admin.token] {
        let report: Value = app
            .get("/api/v1/ledger/verify", Some(token))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(report["ok"], true, "{report}");
        assert!(report["entries"].as_u64().expect("count") >= entries.len() as u64);
        assert!(report["failure"].is_null());
    }
}
