//! Several processes and app instances started at once on one empty database: migrations run
//! once, serialized by the database, and every starter comes up.

use std::process::{Command, Stdio};

use cartrec::startup::Application;
use diesel::prelude::*;
use secrecy::ExposeSecret;

use crate::helpers::{test_settings, TestDatabase};

const ROUNDS: usize = 5;
const PROCESSES: usize = 4;

#[test]
fn four_migrate_processes_started_at_once_all_succeed() {
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDatabase::create(dir.path());
        let children: Vec<_> = (0..PROCESSES)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_cartrec"))
                    .arg("migrate")
                    .env("CARTREC_DATABASE_URL", &db.url)
                    .env("CARTREC_DATA_DIR", dir.path())
                    .env("CARTREC_LOG_LEVEL", "warn")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("cartrec starts")
            })
            .collect();
        let mut applied_total = 0;
        for child in children {
            let output = child.wait_with_output().expect("cartrec ends");
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "round {round}: {stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            applied_total += stdout
                .trim()
                .strip_prefix("applied ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
                .expect("applied N migration(s)");
        }
        let mut conn = db.connect();
        assert!(
            cartrec::db::migrations::is_up_to_date(&mut conn).expect("schema readable"),
            "round {round}: migrations missing"
        );
        // Each migration was applied by exactly one of the processes.
        assert_eq!(applied_total, migration_count(), "round {round}");
    }
}

/// How many migrations this build embeds (the two backends have the same set).
pub(crate) fn migration_count() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .expect("migrations directory")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_started_at_once_on_an_empty_database_both_come_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDatabase::create(dir.path());
    // Separate data directories, as on separate hosts, with the ledger key every instance of
    // one database shares (README, "PostgreSQL in production").
    let (dir_a, dir_b) = (dir.path().join("a"), dir.path().join("b"));
    for data_dir in [&dir_a, &dir_b] {
        std::fs::create_dir_all(data_dir).expect("data dir");
    }
    cartrec::keys::load_or_create_checkpoint_key(
        &dir_a.join("checkpoint.key"),
        &cartrec::config::Settings::default().log_origin,
    )
    .expect("key");
    std::fs::copy(dir_a.join("checkpoint.key"), dir_b.join("checkpoint.key")).expect("copied");
    let a = tokio::spawn(Application::build(test_settings(&dir_a, &db.url)));
    let b = tokio::spawn(Application::build(test_settings(&dir_b, &db.url)));
    let a = a.await.expect("task A").expect("instance A starts");
    let b = b.await.expect("task B").expect("instance B starts");
    let created = [&a, &b]
        .iter()
        .filter(|app| app.bootstrap_password.is_some())
        .count();
    assert_eq!(created, 1, "exactly one instance creates the first admin");
    let password = [&a, &b]
        .iter()
        .find_map(|app| app.bootstrap_password.as_ref())
        .expect("one password")
        .expose_secret()
        .to_owned();
    let addresses = [a.port(), b.port()].map(|port| format!("http://127.0.0.1:{port}"));
    tokio::spawn(a.run_until_stopped());
    tokio::spawn(b.run_until_stopped());

    let client = reqwest::Client::new();
    for address in &addresses {
        let ready = client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .expect("sent");
        assert_eq!(ready.status(), 200, "{address}");
        // Both instances serve the one admin the other may have created.
        let login = client
            .post(format!("{address}/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": "admin", "password": password }))
            .send()
            .await
            .expect("sent");
        assert_eq!(login.status(), 200, "{address}");
    }
    let admins: i64 = cartrec::db::schema::users::table
        .count()
        .get_result(&mut db.connect())
        .expect("count");
    assert_eq!(admins, 1);
}
