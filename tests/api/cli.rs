//! The command line: migrate, create-admin, verify; and that every acknowledged write
//! survives the server being killed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use cartrec::db::schema::ledger_entries::dsl as le;
use diesel::prelude::*;

use crate::helpers::{spawn_app, TestDatabase};

fn cartrec(db: &TestDatabase, data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cartrec"));
    command
        .env("CARTREC_DATABASE_URL", &db.url)
        .env("CARTREC_DATA_DIR", data_dir)
        .env("CARTREC_LOG_LEVEL", "warn");
    command
}

#[test]
fn migrate_applies_each_migration_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDatabase::create(dir.path());
    let first = cartrec(&db, dir.path())
        .arg("migrate")
        .output()
        .expect("runs");
    assert!(first.status.success());
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        format!(
            "applied {} migration(s)",
            crate::migrations::migration_count()
        )
    );
    let again = cartrec(&db, dir.path())
        .arg("migrate")
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "applied 0 migration(s)"
    );
    let verify = cartrec(&db, dir.path())
        .arg("verify")
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&verify.stdout).trim(),
        "ok: 0 entries, head (empty ledger)"
    );
}

fn create_admin(
    app: &crate::helpers::TestApp,
    username: &str,
    password: &str,
) -> std::process::Output {
    let mut child = cartrec(&app.db, app.data_dir.path())
        .args([
            "user",
            "create-admin",
            "--username",
            username,
            "--full-name",
            "Site Operations",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{password}\n").as_bytes())
        .expect("password written");
    child.wait_with_output().expect("finishes")
}

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin() {
    let app = spawn_app().await;
    let created = create_admin(&app, "siteops", "Harbour-lantern-quartz-19");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let login: serde_json::Value = app
        .login("siteops", "Harbour-lantern-quartz-19")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(login["must_change_password"], false);

    let weak = create_admin(&app, "weakops", "password");
    assert!(!weak.status.success());
    let message = String::from_utf8_lossy(&weak.stderr);
    assert!(message.contains("at least 12 characters"), "{message}");
    let taken = create_admin(&app, "siteops", "Another-lantern-quartz-20");
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already taken"));
}

#[tokio::test]
async fn without_a_terminal_create_admin_asks_for_password_stdin() {
    let app = spawn_app().await;
    let output = cartrec(&app.db, app.data_dir.path())
        .args([
            "user",
            "create-admin",
            "--username",
            "siteops",
            "--full-name",
            "Site Operations",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--password-stdin"));
}

/// Covers: GMP-LED-6
#[tokio::test]
async fn acknowledged_writes_survive_a_killed_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDatabase::create(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("address")
        .port();
    let mut server = cartrec(&db, dir.path())
        .arg("serve")
        .env("CARTREC_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let stdout = BufReader::new(server.stdout.take().expect("stdout"));
    let password = stdout
        .lines()
        .map_while(Result::ok)
        .skip_while(|line| !line.contains("one-time password"))
        .map(|line| line.trim().to_owned())
        .find(|line| !line.is_empty() && !line.contains("one-time password"))
        .expect("bootstrap password printed");
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        if client.get(format!("{base}/readyz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // user.created for the first admin and template.imported for the shipped template.
    let mut acknowledged = 2;
    let mut observer = db.connect();
    for attempt in 0..10 {
        let password = if attempt % 2 == 0 {
            "wrong-password-guess"
        } else {
            password.as_str()
        };
        let body = serde_json::json!({ "username": "admin", "password": password });
        let response = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert!(response.status() == 200 || response.status() == 401);
        acknowledged += 1;
        // Acknowledged means committed: another connection already sees the entry.
        let visible: i64 = le::ledger_entries
            .count()
            .get_result(&mut observer)
            .expect("count");
        assert_eq!(visible, acknowledged);
    }
    server.kill().expect("SIGKILL");
    server.wait().expect("reaped");
    let verify = cartrec(&db, dir.path())
        .arg("verify")
        .output()
        .expect("runs");
    let report = String::from_utf8_lossy(&verify.stdout);
    assert!(verify.status.success(), "{report}");
    assert!(
        report.starts_with(&format!("ok: {acknowledged} entries")),
        "{report}"
    );
}

#[derive(QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    synchronous: i32,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct ForeignKeys {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    foreign_keys: i32,
}

/// Covers: GMP-LED-6
#[test]
fn sqlite_connections_commit_durably() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pragmas.sqlite3");
    let mut conn = cartrec::db::ConnectionManager::new(&path.to_string_lossy())
        .connect()
        .expect("opens");
    let sync: Synchronous = diesel::sql_query("PRAGMA synchronous")
        .get_result(&mut conn)
        .expect("pragma");
    assert_eq!(
        sync.synchronous, 2,
        "synchronous = FULL: a commit survives power loss"
    );
    let journal: JournalMode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .expect("pragma");
    assert_eq!(journal.journal_mode, "wal");
    let keys: ForeignKeys = diesel::sql_query("PRAGMA foreign_keys")
        .get_result(&mut conn)
        .expect("pragma");
    assert_eq!(keys.foreign_keys, 1);
}
