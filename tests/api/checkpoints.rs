//! Signed checkpoints: C2SP signed notes any tool can check with the published key, kept in the
//! database and in a directory outside it; a server that refuses to sign over a ledger that
//! is behind or inconsistent with its last checkpoint; `verify --trusted` naming a truncated
//! tail and a rewritten history.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use signed_note::{Note, StandardVerifier, VerifierList};

use crate::helpers::{problem, spawn_app, spawn_app_with, TestApp, TestUser};

async fn text(response: reqwest::Response, what: &str) -> String {
    assert_eq!(response.status(), 200, "{what}");
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("text/plain"), "{what}: {kind}");
    response.text().await.expect("text")
}

async fn sign(app: &TestApp, who: &TestUser) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/ledger/checkpoint"))
        .bearer_auth(&who.token)
        .send()
        .await
        .expect("sent")
}

/// Origin, size and root of a note, checked with the signed_note crate against the key.
fn open(note: &str, vkey: &str) -> (String, u64, String) {
    let verifier = StandardVerifier::new(vkey.trim()).expect("a vkey");
    let parsed = Note::from_bytes(note.as_bytes()).expect("a signed note");
    parsed
        .verify(&VerifierList::new(vec![Box::new(verifier)]))
        .expect("signed by the published key");
    let body = String::from_utf8(parsed.text().to_vec()).expect("UTF-8");
    let lines: Vec<&str> = body.lines().collect();
    (
        lines[0].to_owned(),
        lines[1].parse().expect("a size"),
        lines[2].to_owned(),
    )
}

/// The checkpoints in `dir` (beside them: the tree head copied there, and its lock file).
fn outside(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.retain(|path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("checkpoint-"))
    });
    files.sort();
    files
}

/// Covers: GMP-LED-7
#[tokio::test]
async fn a_checkpoint_is_a_signed_note_of_the_tree_kept_inside_and_outside_the_database() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let vkey = text(
        app.get("/api/v1/ledger/vkey", Some(&auditor.token)).await,
        "vkey",
    )
    .await;
    let (status, body) = problem(
        app.get("/api/v1/ledger/checkpoint", Some(&auditor.token))
            .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("no_checkpoint"))
    );

    let note = text(sign(&app, &auditor).await, "signed").await;
    let (origin, size, root) = open(&note, &vkey);
    assert_eq!(origin, "cartrec.local/ledger");
    let proof: Value = app
        .get(
            &format!("/api/v1/ledger/proof/inclusion?index=0&size={size}"),
            Some(&auditor.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        proof["root"].as_str(),
        Some(root.as_str()),
        "the tree's root"
    );
    assert_eq!(BASE64.decode(&root).expect("base64").len(), 32);

    let latest = text(
        app.get("/api/v1/ledger/checkpoint", Some(&auditor.token))
            .await,
        "latest",
    )
    .await;
    assert_eq!(latest, note);
    let again = text(sign(&app, &auditor).await, "nothing new").await;
    assert_eq!(again, note, "no new entry, no new checkpoint");
    let files = outside(&app.data_dir.path().join("checkpoints"));
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(std::fs::read_to_string(&files[0]).expect("read"), note);

    // New entries, a new checkpoint that extends the first.
    app.user_with_roles(&["operator"]).await;
    let status = sign(&app, &app.admin).await.status();
    assert_eq!(status, 200, "admins may ask for one too");
    let newer = text(
        app.get("/api/v1/ledger/checkpoint", Some(&auditor.token))
            .await,
        "newer",
    )
    .await;
    let (_, newer_size, _) = open(&newer, &vkey);
    assert!(newer_size > size);
    assert_eq!(outside(&app.data_dir.path().join("checkpoints")).len(), 2);

    let operator = app.user_with_roles(&["operator"]).await;
    let (status, _) = problem(sign(&app, &operator).await).await;
    assert_eq!(status, 403);
    let verified = app.run_cli(&["verify"]);
    let printed = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{printed}");
    assert!(
        printed.contains("2 stored checkpoint(s) verified"),
        "{printed}"
    );
}

/// A second server on another database, signing with the first one's key into the first
/// one's checkpoint directory: to that key and that directory, its ledger is the first one's
/// rolled back (here: to nothing). It starts read-only, signs nothing, creates no account, and
/// `cartrec verify` on it names the rollback.
///
/// Covers: GMP-LED-7
#[tokio::test]
async fn a_server_on_a_ledger_behind_its_checkpoint_dir_starts_read_only_and_signs_nothing() {
    let first = spawn_app().await;
    let auditor = first.user_with_roles(&["auditor"]).await;
    for _ in 0..2 {
        first.user_with_roles(&["operator"]).await;
    }
    let signed = text(sign(&first, &auditor).await, "first").await;
    let dir = first.data_dir.path().join("checkpoints");
    first
        .sealer()
        .copy_outside(&mut first.db.connect())
        .expect("the newest head copied outside");

    let data_dir = tempfile::tempdir().expect("temp dir");
    let db = crate::helpers::TestDatabase::create(data_dir.path());
    let mut settings = crate::helpers::test_settings(data_dir.path(), &db.url);
    settings.checkpoint_key_file = Some(first.data_dir.path().join("checkpoint.key"));
    settings.checkpoint_dir = Some(dir.clone());
    let second = cartrec::startup::Application::build(settings)
        .await
        .expect("starts, read-only");
    assert!(
        second.bootstrap_password.is_none(),
        "a read-only start creates no account"
    );
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_cartrec"))
        .arg("verify")
        .env("CARTREC_DATABASE_URL", &db.url)
        .env("CARTREC_DATA_DIR", data_dir.path())
        .env(
            "CARTREC_CHECKPOINT_KEY_FILE",
            first.data_dir.path().join("checkpoint.key"),
        )
        .env("CARTREC_CHECKPOINT_DIR", &dir)
        .env("CARTREC_LOG_LEVEL", "warn")
        .output()
        .expect("cartrec runs");
    let printed = String::from_utf8_lossy(&verify.stdout);
    assert!(!verify.status.success(), "{printed}");
    assert!(printed.contains("rolled back"), "{printed}");
    let files = outside(&dir);
    assert_eq!(files.len(), 1, "nothing more was signed: {files:?}");
    assert_eq!(std::fs::read_to_string(&files[0]).expect("read"), signed);
}

/// Covers: GMP-LED-7, P11-10a-1
#[tokio::test]
async fn verify_trusted_names_a_truncated_tail_a_rewritten_history_and_a_forged_note() {
    let first = spawn_app().await;
    let auditor = first.user_with_roles(&["auditor"]).await;
    for _ in 0..2 {
        first.user_with_roles(&["operator"]).await;
    }
    let note = text(sign(&first, &auditor).await, "kept by the auditor").await;
    let kept = first.data_dir.path().join("kept.checkpoint");
    std::fs::write(&kept, &note).expect("written");
    let vkey = first.data_dir.path().join("checkpoint.vkey");
    let args = |trusted: &Path| {
        vec![
            "verify".to_owned(),
            "--trusted".to_owned(),
            trusted.display().to_string(),
            "--vkey".to_owned(),
            vkey.display().to_string(),
        ]
    };
    let run = |app: &TestApp, trusted: &Path| {
        let args = args(trusted);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = app.run_cli(&args);
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };

    first.user_with_roles(&["qa"]).await;
    let (ok, printed) = run(&first, &kept);
    assert!(ok, "the ledger grew on from the checkpoint: {printed}");
    assert!(printed.contains("extends it consistently"), "{printed}");

    // Another ledger signed with the same key (its heads verify), in a directory of its own.
    let key = first.data_dir.path().join("checkpoint.key");
    let second = spawn_app_with(move |settings| {
        std::fs::copy(&key, settings.data_dir.join("checkpoint.key")).expect("key copied");
    })
    .await;
    let (ok, printed) = run(&second, &kept);
    assert!(!ok);
    assert!(printed.contains("truncated"), "a shorter ledger: {printed}");
    for _ in 0..6 {
        second.user_with_roles(&["operator"]).await;
    }
    let (ok, printed) = run(&second, &kept);
    assert!(!ok);
    assert!(printed.contains("rewritten"), "another history: {printed}");

    // One character of the root changed: the signature no longer holds.
    let lines: Vec<&str> = note.lines().collect();
    let mut root = lines[2].to_owned();
    let flipped = if root.starts_with('A') { "B" } else { "A" };
    root.replace_range(0..1, flipped);
    let forged = note.replacen(lines[2], &root, 1);
    let forged_path = first.data_dir.path().join("forged.checkpoint");
    std::fs::write(&forged_path, forged).expect("written");
    let (ok, printed) = run(&first, &forged_path);
    assert!(!ok);
    assert!(printed.contains("signature"), "{printed}");
}
