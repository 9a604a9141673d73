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

/// A service started as the runtime role, on a database the owner migrated.
struct RuntimeService {
    // Fields drop in order: the database (which holds the role's grants) before the role.
    _db: TestDatabase,
    _role: Role,
    _dir: tempfile::TempDir,
    runtime_url: String,
    address: String,
    admin_password: String,
}

impl RuntimeService {
    /// `None` unless the tests run on PostgreSQL.
    async fn start() -> Option<RuntimeService> {
        let admin_url = std::env::var(crate::helpers::BACKEND_ENV).ok()?;
        if !admin_url.starts_with("postgres") {
            return None;
        }
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
        let runtime_url =
            server.replacen("postgres@", &format!("{}@", role.name), 1) + "/" + database;
        assert_ne!(
            runtime_url, db.url,
            "the test must connect as the runtime role"
        );
        let mut settings = test_settings(dir.path(), &runtime_url);
        settings.migrate_on_start = false;
        let app = Application::build(settings)
            .await
            .expect("starts as the runtime role");
        let admin_password = app
            .bootstrap_password
            .as_ref()
            .expect("first admin")
            .expose_secret()
            .to_owned();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Some(RuntimeService {
            _db: db,
            _role: role,
            _dir: dir,
            runtime_url,
            address,
            admin_password,
        })
    }

    /// A connection as the runtime role: what an insider with its password holds.
    fn insider(&self) -> cartrec::db::DbConn {
        cartrec::db::ConnectionManager::new(&self.runtime_url)
            .connect()
            .expect("connects")
    }

    async fn admin_token(&self) -> String {
        let login = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.address))
            .json(&serde_json::json!({ "username": "admin", "password": self.admin_password }))
            .send()
            .await
            .expect("sent");
        assert_eq!(login.status(), 200);
        let body: serde_json::Value = login.json().await.expect("JSON");
        body["access_token"].as_str().expect("token").to_owned()
    }
}

/// Covers: GMP-LED-9, P11-10c-1
#[tokio::test]
async fn the_service_runs_as_a_role_that_can_only_read_and_append_the_ledger() {
    let Some(service) = RuntimeService::start().await else {
        return;
    };
    let address = &service.address;
    let password = &service.admin_password;
    let runtime_url = &service.runtime_url;
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

    let mut runtime = cartrec::db::ConnectionManager::new(runtime_url)
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
    // And it may do what the service does: read every table, and write the rows of every
    // projection a batch write changes (a table added without its grant fails here).
    runtime
        .batch_execute(
            "DO $$ DECLARE unread text; unwritten text; BEGIN
               SELECT string_agg(c.relname, ', ') INTO unread FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind = 'r'
                  AND NOT has_table_privilege(c.oid, 'SELECT');
               SELECT string_agg(t, ', ') INTO unwritten FROM unnest(ARRAY['batches',
                   'pending_verifications', 'lot_usage', 'open_deviation_rows',
                   'waiting_correction_rows']) AS t
                WHERE NOT (has_table_privilege(t, 'INSERT') AND has_table_privilege(t, 'UPDATE')
                           AND has_table_privilege(t, 'DELETE'));
               IF unread IS NOT NULL OR unwritten IS NOT NULL THEN
                 RAISE EXCEPTION 'cannot read: %; cannot write: %', unread, unwritten;
               END IF;
             END $$",
        )
        .expect("the runtime role reads every table and writes the batch projections");
}

/// What the runtime role's grants still allow an insider, and what comes of it: an entry
/// appended at the tail with every hash right (F1) is covered by no signed head and the
/// service refuses to build on it; an edited `users` row grants nothing.
///
/// Covers: GMP-LED-12, GMP-LED-13, GMP-LED-14
#[tokio::test]
async fn an_insider_with_the_runtime_roles_password_forges_nothing() {
    let Some(forged) = RuntimeService::start().await else {
        return;
    };
    let token = forged.admin_token().await;
    let seq = crate::authenticity::forge_at_tail(
        &mut forged.insider(),
        "user/mallory",
        "user.roles_approved",
        serde_json::json!({ "username": "mallory", "roles": ["admin"], "via": "console" }),
    );
    // The first admin's first write: replacing its one-time password.
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/password", forged.address))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({ "current_password": forged.admin_password,
                                   "new_password": "Lasting-insider-test-passphrase" }),
        )
        .send()
        .await
        .expect("sent");
    let (status, body) = crate::helpers::problem(response).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "ledger_unverified");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("seq {seq}")),
        "{body}"
    );
    drop(forged);

    let edited = RuntimeService::start().await.expect("PostgreSQL");
    let token = edited.admin_token().await;
    edited
        .insider()
        .batch_execute(
            "UPDATE users SET full_name = 'Someone Else Entirely' WHERE username = 'admin'",
        )
        .expect("the runtime role may update users");
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/users", edited.address))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    let (status, body) = crate::helpers::problem(response).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("the users row of 'admin' does not match its seal"),
        "{body}"
    );
}
