//! The batch export bundle: downloaded by an auditor, checked offline by `cartrec verify-bundle`
//! with the published key, the same bytes again for the same checkpoint, and every kind of
//! break (a tampered byte, a dropped entry, a swapped proof, another key) named for what it is.

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::release_support::{expect_status, released, ship, team};

async fn export(app: &TestApp, who: &TestUser, batch: &str, query: &str) -> reqwest::Response {
    app.get(
        &format!("/api/v1/batches/{batch}/export{query}"),
        Some(&who.token),
    )
    .await
}

async fn bundle_bytes(app: &TestApp, who: &TestUser, batch: &str, query: &str) -> Vec<u8> {
    let response = export(app, who, batch, query).await;
    assert_eq!(response.status(), 200, "export of {batch}{query}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (digest, etag, disposition) = (
        header("repr-digest"),
        header("etag"),
        header("content-disposition"),
    );
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains(batch), "{disposition}");
    let bytes = response.bytes().await.expect("body").to_vec();
    let sha = Sha256::digest(&bytes);
    assert_eq!(digest, format!("sha-256=:{}:", BASE64.encode(sha)));
    assert_eq!(etag, format!("\"{}\"", hex::encode(sha)));
    bytes
}

async fn vkey(app: &TestApp, auditor: &TestUser) -> String {
    let response = app.get("/api/v1/ledger/vkey", Some(&auditor.token)).await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("vkey")
}

/// Writes the bundle and the key to files and runs `cartrec verify-bundle` on them.
fn verify_bundle(app: &TestApp, bundle: &[u8], vkey: &str) -> (bool, String) {
    let dir = app.data_dir.path();
    let (bundle_path, vkey_path): (PathBuf, PathBuf) = (dir.join("b.json"), dir.join("k.vkey"));
    std::fs::write(&bundle_path, bundle).expect("bundle written");
    std::fs::write(&vkey_path, vkey).expect("vkey written");
    let output = app.run_cli(&[
        "verify-bundle",
        bundle_path.to_str().expect("path"),
        "--vkey",
        vkey_path.to_str().expect("path"),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), stdout)
}

fn edited(bundle: &[u8], edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(bundle).expect("a JSON bundle");
    edit(&mut value);
    serde_json::to_vec_pretty(&value).expect("JSON")
}

fn stream<'v>(bundle: &'v mut Value, role: &str) -> &'v mut Value {
    bundle["streams"]
        .as_array_mut()
        .expect("streams")
        .iter_mut()
        .find(|s| s["role"] == role)
        .expect("a stream of that role")
}

/// Covers: P11-10b-1, A11-17
#[tokio::test]
async fn an_inspector_checks_an_exported_bundle_offline_and_gets_the_same_bytes_again() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, coi) = released(&app, &team).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let first = bundle_bytes(&app, &auditor, &batch, "").await;
    let key = vkey(&app, &auditor).await;

    let (ok, stdout) = verify_bundle(&app, &first, &key);
    assert!(ok, "{stdout}");
    assert!(
        stdout.starts_with(&format!("ok: batch {batch}: ")),
        "{stdout}"
    );
    for stream in [
        format!("batch/{batch}"),
        format!("coi/{coi}"),
        "template/".into(),
        "lot/".into(),
        "equipment/".into(),
    ] {
        assert!(stdout.contains(&stream), "{stream} in {stdout}");
    }
    let bundle: Value = serde_json::from_slice(&first).expect("JSON");
    assert_eq!(bundle["format"], "cartrec-batch-bundle/1");
    assert!(bundle["about"]
        .as_str()
        .expect("about")
        .contains("RFC 6962"));
    let size = bundle["checkpoint"]
        .as_str()
        .expect("note")
        .lines()
        .nth(1)
        .expect("size")
        .to_owned();

    // New records after the checkpoint: the default export moves to a newer checkpoint, and the
    // old one still gives exactly the bytes first downloaded (what a printed record names).
    expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    let newer = bundle_bytes(&app, &auditor, &batch, "").await;
    assert_ne!(newer, first);
    assert!(verify_bundle(&app, &newer, &key).0);
    let again = bundle_bytes(&app, &team.qp, &batch, &format!("?checkpoint={size}")).await;
    assert_eq!(again, first, "the same checkpoint gives the same bundle");
}

/// Covers: A11-17
#[tokio::test]
async fn a_tampered_byte_a_dropped_entry_a_swapped_proof_and_another_key_are_each_named() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = released(&app, &team).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let good = bundle_bytes(&app, &auditor, &batch, "").await;
    let key = vkey(&app, &auditor).await;

    let tampered = edited(&good, |b| {
        let entry = &mut stream(b, "batch")["entries"][4]["entry"];
        let text = entry
            .as_str()
            .expect("entry")
            .replacen("\"actor\":\"", "\"actor\":\"x", 1);
        *entry = Value::String(text);
    });
    let dropped = edited(&good, |b| {
        stream(b, "batch")["entries"]
            .as_array_mut()
            .expect("entries")
            .remove(3);
    });
    let swapped = edited(&good, |b| {
        let entries = stream(b, "batch")["entries"]
            .as_array_mut()
            .expect("entries");
        let proof = entries[1]["inclusion_proof"].clone();
        entries[1]["inclusion_proof"] = entries[2]["inclusion_proof"].clone();
        entries[2]["inclusion_proof"] = proof;
    });
    let cases = [
        (tampered, key.clone(), "the entry was altered"),
        (dropped, key.clone(), "entry 3 of the stream was dropped"),
        (swapped, key.clone(), "the proof was swapped"),
    ];
    for (bundle, key, expected) in cases {
        let (ok, stdout) = verify_bundle(&app, &bundle, &key);
        assert!(!ok, "{expected}: {stdout}");
        assert!(stdout.starts_with("FAILED: "), "{stdout}");
        assert!(stdout.contains(expected), "{expected}: {stdout}");
        assert!(stdout.contains(&format!("batch/{batch}")), "{stdout}");
    }

    let another = spawn_app().await;
    let other_auditor = another.user_with_roles(&["auditor"]).await;
    let other_key = vkey(&another, &other_auditor).await;
    let (ok, stdout) = verify_bundle(&app, &good, &other_key);
    assert!(!ok);
    assert!(stdout.contains("the checkpoint is signed by"), "{stdout}");
    assert!(
        stdout.contains("the bundle comes from another key"),
        "{stdout}"
    );
}

/// Covers: P11-10g
#[tokio::test]
async fn only_auditors_qa_and_qps_export_and_bad_requests_are_named() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = released(&app, &team).await;
    for who in [&team.site.op1, &team.qc1, &team.cl1, &app.admin] {
        let (status, body) = problem(export(&app, who, &batch, "").await).await;
        assert_eq!(status, 403, "{} exports: {body}", who.username);
    }
    let qa = &team.site.qa;
    let (status, body) = problem(export(&app, qa, "B-1999-999", "").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("batch_not_found")),
        "{body}"
    );
    let (status, body) = problem(export(&app, qa, &batch, "?checkpoint=abc").await).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = problem(export(&app, qa, &batch, "?checkpoint=999999").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("checkpoint_not_found")),
        "{body}"
    );
    let (status, body) = problem(export(&app, qa, &batch, "?checkpoint=1").await).await;
    assert_eq!(status, 404, "no checkpoint of size 1 was signed: {body}");
}
