//! `cartrec backup` and `cartrec restore` on either backend: a round trip into a new, empty
//! database gives the same ledger, which a server then serves; a backup older than the newest
//! checkpoint in `checkpoint_dir` is refused as a rollback, and restored only when the
//! operator says so, naming what is lost.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{checkpoint_head, spawn_app, test_settings, TestApp, TestDatabase, TestUser};

/// `cartrec` against `db`, with the keys and `checkpoint_dir` of `app`'s data directory: the
/// same site, another database.
fn cartrec_on(app: &TestApp, db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cartrec"))
        .args(args)
        .env("CARTREC_DATABASE_URL", &db.url)
        .env("CARTREC_DATA_DIR", app.data_dir.path())
        .env("CARTREC_LOG_LEVEL", "warn")
        .output()
        .expect("cartrec runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn succeeded(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}\n{}",
        stdout(output),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(output)
}

/// A database of the test's backend that nothing has touched, in a directory of its own.
fn empty_database() -> (TestDatabase, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    (TestDatabase::create(dir.path()), dir)
}

/// The `ok: N entries, head …, root …` line of `cartrec verify`.
fn verified(app: &TestApp, db: &TestDatabase) -> String {
    let out = succeeded(&cartrec_on(app, db, &["verify"]), "verify");
    out.lines()
        .find(|line| line.starts_with("ok: "))
        .expect("an ok line")
        .to_owned()
}

fn entries_in(line: &str) -> u64 {
    line.split("ok: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an entry count in {line}"))
}

async fn sign_checkpoint(app: &TestApp, auditor: &TestUser) -> u64 {
    checkpoint_head(&app.sign_checkpoint(auditor).await).0
}

fn backup_file(app: &TestApp, name: &str) -> PathBuf {
    app.data_dir.path().join(name)
}

fn mode_of(file: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

fn path(file: &Path) -> &str {
    file.to_str().expect("UTF-8 path")
}

/// Covers: A11-7.2, A11-7.1
#[tokio::test]
async fn a_backup_restores_into_an_empty_database_with_the_same_ledger() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let signed = sign_checkpoint(&app, &auditor).await;
    let file = backup_file(&app, "site.backup");

    let written = succeeded(&app.run_cli(&["backup", path(&file)]), "backup");
    assert_eq!(mode_of(&file), 0o600, "the backup is its owner's alone");
    let source = verified(&app, &app.db);
    assert!(
        written.contains(&source),
        "the backup names what it holds: {written}"
    );
    assert!(
        written.contains(&format!("the newest of {signed} entries")),
        "{written}"
    );
    let again = app.run_cli(&["backup", path(&file)]);
    assert!(!again.status.success());
    assert!(
        stdout(&again).contains("give --force"),
        "{}",
        stdout(&again)
    );
    succeeded(
        &app.run_cli(&["backup", "--force", path(&file)]),
        "backup --force",
    );

    let (target, _dir) = empty_database();
    let restored = succeeded(
        &cartrec_on(&app, &target, &["restore", path(&file)]),
        "restore",
    );
    assert!(restored.contains("restored"), "{restored}");
    assert!(!restored.contains("ROLLBACK"), "{restored}");
    assert_eq!(verified(&app, &target), source, "the same entries and head");
    if !target.is_postgres() {
        assert_eq!(
            mode_of(Path::new(&target.url)),
            0o600,
            "the restored database"
        );
    }
    let twice = cartrec_on(&app, &target, &["restore", path(&file)]);
    assert!(!twice.status.success());
    assert!(stdout(&twice).contains("not empty"), "{}", stdout(&twice));
    if !target.is_postgres() {
        // SQLite: --force replaces the file and keeps the one it replaced beside it.
        succeeded(
            &cartrec_on(&app, &target, &["restore", "--force", path(&file)]),
            "restore --force",
        );
        let dir = Path::new(&target.url).parent().expect("a directory");
        let kept = std::fs::read_dir(dir)
            .expect("listed")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".before-restore-"))
            .count();
        assert_eq!(kept, 1, "the replaced database is kept");
        assert_eq!(verified(&app, &target), source);
    }

    // A server on the restored database serves what was recorded.
    let server =
        cartrec::startup::Application::build(test_settings(app.data_dir.path(), &target.url))
            .await
            .expect("a server on the restored database");
    assert!(
        server.bootstrap_password.is_none(),
        "accounts were restored"
    );
    let restored_app = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let login = app
        .client
        .post(format!("{restored_app}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": auditor.username, "password": auditor.password }))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::OK, "the auditor logs in");
    let token = login.json::<Value>().await.expect("JSON")["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let entry = app
        .client
        .get(format!(
            "{restored_app}/api/v1/ledger/entries?from=0&limit=1"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent")
        .json::<Value>()
        .await
        .expect("JSON");
    let original = app
        .get(
            "/api/v1/ledger/entries?from=0&limit=1",
            Some(&auditor.token),
        )
        .await
        .json::<Value>()
        .await
        .expect("JSON");
    assert_eq!(entry["entries"][0], original["entries"][0]);
}

/// Covers: A11-7.2, GMP-LED-7
#[tokio::test]
async fn a_backup_older_than_the_newest_checkpoint_is_refused_unless_accepted() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    sign_checkpoint(&app, &auditor).await;
    let file = backup_file(&app, "old.backup");
    succeeded(&app.run_cli(&["backup", path(&file)]), "backup");
    let held = entries_in(&verified(&app, &app.db));

    // Work recorded after the backup, vouched for by a checkpoint outside the database.
    app.user_with_roles(&["operator"]).await;
    let signed = sign_checkpoint(&app, &auditor).await;
    assert!(signed > held);
    let lost = format!("entries {held}..{}", signed - 1);

    let (target, _dir) = empty_database();
    let refused = cartrec_on(&app, &target, &["restore", path(&file)]);
    assert!(!refused.status.success(), "a rollback is refused");
    let said = stdout(&refused);
    assert!(said.contains("ROLLBACK") && said.contains(&lost), "{said}");
    assert!(said.contains("--accept-rollback"), "{said}");
    if target.is_postgres() {
        assert!(said.contains("now holds this refused restore"), "{said}");
    } else {
        // SQLite: the refused copy never took the database's place.
        assert!(said.contains("unchanged"), "{said}");
        assert!(!Path::new(&target.url).exists(), "nothing was put in place");
    }

    let (accepting, _dir) = empty_database();
    let accepted = cartrec_on(
        &app,
        &accepting,
        &["restore", "--accept-rollback", path(&file)],
    );
    let said = succeeded(&accepted, "restore --accept-rollback");
    assert!(
        said.contains("ROLLBACK ACCEPTED") && said.contains(&lost),
        "{said}"
    );
    assert!(
        String::from_utf8_lossy(&accepted.stderr).contains("ROLLBACK ACCEPTED"),
        "said loudly on stderr too"
    );
    // The checkpoints and the tree head outside still vouch for the lost entries: the
    // restored ledger does not verify against them (and a server on it starts read-only) ...
    let against_outside = cartrec_on(&app, &accepting, &["verify"]);
    assert!(!against_outside.status.success());
    assert!(
        stdout(&against_outside).contains("rolled back"),
        "{}",
        stdout(&against_outside)
    );
    // ... until whoever controls that storage archives them, as the README says.
    let outside = app.data_dir.path().join("checkpoints");
    let archive = app.data_dir.path().join("archived-checkpoints");
    std::fs::create_dir_all(&archive).expect("archive");
    for entry in std::fs::read_dir(&outside).expect("checkpoint_dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let size: Option<u64> = name
            .strip_prefix("checkpoint-")
            .and_then(|n| n.parse().ok());
        if name == "tree-head" || size.is_some_and(|size| size > held) {
            std::fs::rename(&path, archive.join(name)).expect("archived");
        }
    }
    // The server under test still runs and copies its own newest tree head into its
    // checkpoint_dir every moment, so the archived `tree-head` may be back already; the
    // restored database is checked against the storage as whoever archived left it: a copy
    // of the checkpoints they kept.
    let kept = app.data_dir.path().join("kept-checkpoints");
    std::fs::create_dir_all(&kept).expect("kept");
    for entry in std::fs::read_dir(&outside).expect("checkpoint_dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a file name").to_owned();
        if name != "tree-head" {
            std::fs::copy(&path, kept.join(name)).expect("kept");
        }
    }
    let against_kept = Command::new(env!("CARGO_BIN_EXE_cartrec"))
        .arg("verify")
        .env("CARTREC_DATABASE_URL", &accepting.url)
        .env("CARTREC_DATA_DIR", app.data_dir.path())
        .env("CARTREC_CHECKPOINT_DIR", &kept)
        .env("CARTREC_LOG_LEVEL", "warn")
        .output()
        .expect("cartrec runs");
    let said = succeeded(&against_kept, "verify against the kept checkpoints");
    let ok = said.lines().find(|line| line.starts_with("ok: "));
    assert_eq!(entries_in(ok.expect("an ok line")), held);
}
