//! `spawn_app()`: the real server on a random port with a fresh database of the backend chosen
//! by `CARTREC_TEST_DATABASE` (unset or `sqlite`: a temp file; a `postgres://` URL: a new
//! database on that server, dropped afterwards), plus a typed client.

use std::sync::atomic::{AtomicU32, Ordering};

use cartrec::config::{LogFormat, Settings};
use cartrec::db::{ConnectionManager, DbConn};
use cartrec::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::{Response, StatusCode};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

pub const BACKEND_ENV: &str = "CARTREC_TEST_DATABASE";

/// A database for one test. PostgreSQL databases are dropped when this is.
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
}

/// The URL of a test's own database on the server `base` names, with the query of the URL
/// given (`tail`), if any. Without one, the connection goes without TLS (the tests' server is
/// on loopback): the background threads of servers whose tests have finished can still be
/// inside OpenSSL, a pooled connection closing or reconnecting, when the test process exits
/// and OpenSSL's exit handler frees its state, which kills the process (SIGSEGV) after every
/// test passed.
fn test_database_url(base: &str, name: &str, tail: &str) -> String {
    match tail.split_once('?') {
        Some((_, query)) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}?sslmode=disable"),
    }
}

impl TestDatabase {
    pub fn create(dir: &std::path::Path) -> TestDatabase {
        match std::env::var(BACKEND_ENV) {
            Ok(url) if url.starts_with("postgres") => {
                let name = format!("cartrec_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin =
                    diesel::PgConnection::establish(&url).expect("PostgreSQL reachable");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let (base, tail) = url.rsplit_once('/').expect("URL with a database name");
                TestDatabase {
                    url: test_database_url(base, &name, tail),
                    postgres: Some((url.clone(), name)),
                }
            }
            _ => TestDatabase {
                url: dir.join("cartrec.sqlite3").to_string_lossy().into_owned(),
                postgres: None,
            },
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub fn connect(&self) -> DbConn {
        ConnectionManager::new(&self.url)
            .connect()
            .expect("test database reachable")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestUser {
    pub username: String,
    pub password: String,
    pub token: String,
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub admin: TestUser,
    /// A QA user approved at the console, who approves the roles of the others; made when
    /// first needed.
    approver: tokio::sync::OnceCell<TestUser>,
    pub db: TestDatabase,
    // Last, so the database is dropped before its directory.
    pub data_dir: tempfile::TempDir,
}

pub fn test_settings(data_dir: &std::path::Path, database_url: &str) -> Settings {
    Settings {
        database_url: Some(database_url.to_owned()),
        bind: "127.0.0.1:0".to_owned(),
        data_dir: data_dir.to_owned(),
        log_format: LogFormat::Pretty,
        workers: 2,
        db_pool_size: 8,
        // Tests log in far more often than people; the rate-limit test sets its own.
        rate_limit_per_client_per_minute: 10_000,
        rate_limit_per_account_per_minute: 10_000,
        // Checkpoints are signed when a test asks; a background signer would race it.
        checkpoint_every_entries: 0,
        checkpoint_every_seconds: 0,
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        cartrec::telemetry::init(LogFormat::Pretty, "debug");
    }
    let data_dir = tempfile::tempdir().expect("temp dir");
    let db = TestDatabase::create(data_dir.path());
    let mut settings = test_settings(data_dir.path(), &db.url);
    configure(&mut settings);
    let app = Application::build(settings.clone())
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let bootstrap = app
        .bootstrap_password
        .as_ref()
        .expect("a fresh database creates the first admin")
        .expose_secret()
        .to_owned();
    tokio::spawn(app.run_until_stopped());
    let mut test_app = TestApp {
        address,
        client: reqwest::Client::new(),
        admin: TestUser {
            username: "admin".into(),
            password: bootstrap,
            token: String::new(),
        },
        approver: tokio::sync::OnceCell::new(),
        db,
        data_dir,
    };
    test_app.admin = test_app
        .activate("admin", &test_app.admin.password.clone())
        .await;
    test_app
}

/// The sealer of the server whose data directory is `data_dir` (see [`TestApp::sealer`]).
pub fn sealer_for(data_dir: &std::path::Path) -> std::sync::Arc<cartrec::ledger::Sealer> {
    let defaults = Settings::default();
    let key = cartrec::keys::load_or_create_checkpoint_key(
        &data_dir.join("checkpoint.key"),
        &defaults.log_origin,
    )
    .expect("the server's checkpoint key");
    cartrec::ledger::Sealer::new(
        std::sync::Arc::new(key),
        &defaults.log_origin,
        Some(&data_dir.join("checkpoints")),
        None,
    )
}

static USER_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A number spelt with the letters q to z, so that a person's name never shares three
/// characters with the passwords the tests make (hex digits and "Lasting-…-passphrase"),
/// which the password policy would rightly refuse.
/// `n` in letters, two to a word ("rs tu" for 1234): a word of three letters or more would
/// count as part of the person's name in the password rules, and could make a password a test
/// expects to be refused for another reason ("qwertyuiop1234" holds "rty", user 138) refused
/// for holding the name instead.
fn letters(n: u32) -> String {
    let letters: Vec<char> = n
        .to_string()
        .chars()
        .map(|d| char::from(b'q' + d.to_digit(10).map_or(0, |d| d as u8)))
        .collect();
    letters
        .chunks(2)
        .map(|pair| pair.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

impl TestApp {
    /// Signs tree heads with this server's ledger key, as a second instance of it would: for
    /// tests that write to the ledger on a connection of their own (`heads::within`).
    pub fn sealer(&self) -> std::sync::Arc<cartrec::ledger::Sealer> {
        sealer_for(self.data_dir.path())
    }

    /// Runs `work` with its ledger writes sealed by this server's key ([`TestApp::sealer`]).
    pub fn sealed<T>(&self, work: impl FnOnce() -> T) -> T {
        cartrec::ledger::heads::within(Some(&self.sealer()), work)
    }

    /// Seals a `users` row again with this server's key, after a test moved its clock.
    pub fn reseal_user(&self, username: &str) {
        self.sealed(|| {
            cartrec::services::accounts::store::reseal(&mut self.db.connect(), username)
        })
        .expect("row sealed");
    }

    /// Seals a user's `sessions` rows again with this server's key, after a test aged them.
    pub fn reseal_sessions(&self, username: &str) {
        use cartrec::db::schema::sessions;
        use diesel::prelude::*;
        let mut conn = self.db.connect();
        let ids: Vec<String> = sessions::table
            .filter(sessions::username.eq(username))
            .select(sessions::id)
            .load(&mut conn)
            .expect("sessions");
        for id in ids {
            self.sealed(|| cartrec::services::accounts::store::reseal_session(&mut conn, &id))
                .expect("session sealed");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({ "username": username, "password": password }),
        )
        .await
    }

    pub async fn login_token(&self, username: &str, password: &str) -> String {
        let response = self.login(username, password).await;
        assert_eq!(response.status(), StatusCode::OK, "login of {username}");
        let body: Value = response.json().await.expect("JSON");
        body["access_token"].as_str().expect("token").to_owned()
    }

    /// Logs in with a temporary password, replaces it, and logs in again.
    pub async fn activate(&self, username: &str, temporary: &str) -> TestUser {
        let token = self.login_token(username, temporary).await;
        let password = format!("Lasting-{}-passphrase", uuid::Uuid::new_v4().simple());
        let changed = self
            .post(
                "/api/v1/auth/password",
                Some(&token),
                &json!({ "current_password": temporary, "new_password": password }),
            )
            .await;
        let status = changed.status();
        assert_eq!(
            status,
            StatusCode::NO_CONTENT,
            "password change of {username}: {}",
            changed.text().await.unwrap_or_default()
        );
        let token = self.login_token(username, &password).await;
        TestUser {
            username: username.to_owned(),
            password,
            token,
        }
    }

    /// Creates an account with these roles as the admin, activates it, has its owner certify
    /// their signature, and has the roles approved (administrators at the console, every other
    /// role by a QA user): a user whose roles are in effect.
    pub async fn user_with_roles(&self, roles: &[&str]) -> TestUser {
        let (username, temporary) = self.create_user(roles).await;
        let user = self.activate(&username, &temporary).await;
        self.acknowledge(&user).await;
        if roles.contains(&"admin") {
            self.approve_at_console(&username);
        } else {
            let approver = self.approver().await;
            let approved = self.approve(approver, &username).await;
            assert_eq!(approved.status(), StatusCode::OK, "approve {username}");
        }
        user
    }

    /// Creates an account (by the admin) whose roles wait for approval; returns its name and
    /// the server-generated temporary password.
    pub async fn create_user(&self, roles: &[&str]) -> (String, String) {
        let n = USER_COUNTER.fetch_add(1, Ordering::Relaxed);
        let username = format!(
            "{}{n}",
            roles.first().copied().unwrap_or("user").replace('_', "")
        );
        let created = self
            .post(
                "/api/v1/users",
                Some(&self.admin.token),
                &json!({ "username": username, "full_name": format!("Test Person {}", letters(n)),
                         "roles": roles }),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED, "create {username}");
        let body: Value = created.json().await.expect("JSON");
        let temporary = body["temporary_password"]
            .as_str()
            .expect("temporary password");
        (username, temporary.to_owned())
    }

    /// The owner certifies that their electronic signature binds them.
    pub async fn acknowledge(&self, user: &TestUser) {
        let response = self
            .post(
                "/api/v1/users/me/acknowledge",
                Some(&user.token),
                &json!({ "signature": { "password": user.password, "meaning": "acknowledged" } }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "acknowledge {}",
            user.username
        );
    }

    /// `approver` signs the approval of `username`'s pending roles.
    pub async fn approve(&self, approver: &TestUser, username: &str) -> Response {
        self.post(
            &format!("/api/v1/users/{username}/approve"),
            Some(&approver.token),
            &json!({ "signature": { "password": approver.password, "meaning": "approved" } }),
        )
        .await
    }

    pub fn approve_at_console(&self, username: &str) {
        let output = self.run_cli(&["user", "approve", username, "--confirmed-by", "Site Head"]);
        assert!(
            output.status.success(),
            "console approval of {username}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// The QA user who approves the others, approved at the console itself.
    pub async fn approver(&self) -> &TestUser {
        self.approver
            .get_or_init(|| async {
                let (username, temporary) = self.create_user(&["qa"]).await;
                let user = self.activate(&username, &temporary).await;
                self.acknowledge(&user).await;
                self.approve_at_console(&username);
                user
            })
            .await
    }

    /// Signs a checkpoint on demand (as an auditor) and answers its signed note.
    pub async fn sign_checkpoint(&self, auditor: &TestUser) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/ledger/checkpoint"))
            .bearer_auth(&auditor.token)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "checkpoint signed");
        response.text().await.expect("the signed note")
    }

    pub async fn ledger_entries(&self, auditor: &TestUser) -> Vec<Value> {
        let mut entries = Vec::new();
        let mut from = 0;
        loop {
            let page: Value = self
                .get(
                    &format!("/api/v1/ledger/entries?from={from}&limit=1000"),
                    Some(&auditor.token),
                )
                .await
                .json()
                .await
                .expect("JSON");
            entries.extend(page["entries"].as_array().expect("entries").iter().cloned());
            match page["next"].as_i64() {
                Some(next) => from = next,
                None => return entries,
            }
        }
    }

    fn cli(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cartrec"));
        command
            .args(args)
            .env("CARTREC_DATABASE_URL", &self.db.url)
            .env("CARTREC_DATA_DIR", self.data_dir.path())
            .env("CARTREC_LOG_LEVEL", "warn");
        command
    }

    /// Runs the `cartrec` binary against this app's database and data directory.
    pub fn run_cli(&self, args: &[&str]) -> std::process::Output {
        self.cli(args).output().expect("cartrec runs")
    }

    pub fn run_cli_with_stdin(&self, args: &[&str], stdin: &str) -> std::process::Output {
        use std::io::Write;
        let mut child = self
            .cli(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("cartrec starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("written");
        child.wait_with_output().expect("cartrec runs")
    }
}

/// The claims of a JWT, read without checking it (the server does that).
pub fn token_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("claims JSON")
}

pub async fn problem(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    (status, response.json().await.expect("problem JSON"))
}

/// The tree size and root a checkpoint note states (its second and third lines).
pub fn checkpoint_head(note: &str) -> (u64, [u8; 32]) {
    use base64::Engine;
    let lines: Vec<&str> = note.lines().collect();
    let size = lines[1].parse().expect("a size on the note's second line");
    let root = base64::engine::general_purpose::STANDARD
        .decode(lines[2])
        .expect("base64")
        .try_into()
        .expect("32 bytes");
    (size, root)
}
