//! PostgreSQL deployment as the README describes it: migrations by the owner, the service as a
//! role with only the grants of `deploy/postgres/runtime-role.sql`.

use cartrec::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use secrecy::ExposeSecret;

use crate::helpers::{test_settings, TestDatabase};

struct Role {
    admin_url: String,
    name: String,
}

impl Drop for Role {
    fn drop(&mut self) {
        let dropped = diesel::PgConnection::establish(&self.admin_url)
            .map_err(|e| e.to_string())
            .and_then(|mut admin| {
                admin
                    .batch_execute(&format!("DROP ROLE IF EXISTS {}", self.name))
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = dropped {
            eprintln!("could not drop test role {}: {e}", self.name);
        }
    }
}

/// Covers: GMP-LED-9, P11-10c-1
#[tokio::test]
async fn the_service_runs_as_a_role_that_can_only_read_and_append_the_ledger() {
    let Ok(admin_url) = std::env::var(crate::helpers::BACKEND_ENV) else {
        return;
    };
    if !admin_url.starts_with("postgres") {
        return;
    }
    // Declared before the database so that it is dropped after it: the database holds the
    // role's grants, and a role with grants cannot be dropped.
    let role = Role {
        admin_url,
        name: format!("cartrec_app_{}", uuid::Uuid::new_v4().simple()),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDatabase::create(dir.path());
    let mut owner = db.connect();
    cartrec::db::migrations::run_pending(&mut owner).expect("owner migrates");
    let grants = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/postgres/runtime-role.sql"
    ))
    .expect("grant script")
    .replace("cartrec_app", &role.name);
    owner
        .batch_execute(&format!("CREATE ROLE {} LOGIN; {grants}", role.name))
        .expect("role and grants");

    let (server, database) = db.url.rsplit_once('/').expect("URL");
    let runtime_url = server.replacen("postgres@", &format!("{}@", role.name), 1) + "/" + database;
    assert_ne!(
        runtime_url, db.url,
        "the test must connect as the runtime role"
    );
    let mut settings = test_settings(dir.path(), &runtime_url);
    settings.migrate_on_start = false;
    let app = Application::build(settings)
        .await
        .expect("starts as the runtime role");
    let password = app
        .bootstrap_password
        .as_ref()
        .expect("first admin")
        .expose_secret()
        .to_owned();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .expect("sent")
            .status(),
        200
    );
    let login = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "admin", "password": password }))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), 200);

    let mut runtime = cartrec::db::ConnectionManager::new(&runtime_url)
        .connect()
        .expect("connects");
    for sql in [
        "UPDATE ledger_entries SET actor = 'mallory'",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_entries",
        "DROP TRIGGER ledger_entries_no_update_delete ON ledger_entries",
        "ALTER TABLE ledger_entries DISABLE TRIGGER ALL",
        "UPDATE merkle_nodes SET hash = hash",
        "DELETE FROM merkle_nodes",
        "TRUNCATE merkle_nodes",
        "UPDATE checkpoints SET note = note",
        "DELETE FROM checkpoints",
        "TRUNCATE checkpoints",
    ] {
        // Refused for want of privileges, before any trigger is even asked.
        let error = runtime.batch_execute(sql).expect_err(sql).to_string();
        assert!(
            error.contains("permission denied") || error.contains("must be owner"),
            "{sql}: {error}"
        );
    }
}
