//! Crash safety: `cartrec serve` killed with SIGKILL under write load, 20 times. Every write
//! that was answered 2xx is there afterwards, exactly once; a request cut off by the kill and
//! retried with its `Idempotency-Key` gets a definite answer, never `409 request_in_progress`:
//! the kept answer if its write committed, else it runs afresh, and either way it is recorded
//! exactly once; the ledger verifies, and every projection still says what the ledger says.
//! The background checkpoint signer runs too, so a kill can land while it signs.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};

use crate::batch_support::{create_batch, site, Site};
use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::idempotency::{hold_writes, release, unanswered_claims, until_stopped_at_append};

const KILLS: usize = 20;
const WRITERS: usize = 4;

/// What became of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Acknowledged,
    /// 2xx with the answer kept from the first time (`Idempotent-Replayed`).
    Replayed,
    /// Cut off by the kill: no answer.
    Unknown,
    Refused(u16),
}

struct Server {
    child: Child,
    address: String,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("address").port()
}

/// `cartrec serve` on the app's database and data directory (so its key files and JWT secret),
/// signing checkpoints in the background every few entries.
async fn start(app: &TestApp) -> Server {
    start_signing_every(app, "10").await
}

async fn start_signing_every(app: &TestApp, entries: &str) -> Server {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_cartrec"))
        .arg("serve")
        .env("CARTREC_DATABASE_URL", &app.db.url)
        .env("CARTREC_DATA_DIR", app.data_dir.path())
        .env("CARTREC_BIND", format!("127.0.0.1:{port}"))
        .env("CARTREC_LOG_LEVEL", "error")
        .env("CARTREC_CHECKPOINT_EVERY_ENTRIES", entries)
        .env("CARTREC_CHECKPOINT_EVERY_SECONDS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cartrec serve starts");
    // Owned at once, so that a panic below still kills and reaps it (Drop).
    let server = Server {
        child,
        address: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let ready = app
            .client
            .get(format!("{}/readyz", server.address))
            .send()
            .await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("cartrec serve was not ready within 30 s");
}

async fn raise(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    batch: &str,
    key: &str,
) -> Outcome {
    raise_with(client, address, token, batch, key, true).await
}

/// Raises the deviation `crash test <key>`, sending `key` as its `Idempotency-Key` if `keyed`.
async fn raise_with(
    client: &reqwest::Client,
    address: &str,
    token: &str,
    batch: &str,
    key: &str,
    keyed: bool,
) -> Outcome {
    let mut request = client
        .post(format!("{address}/api/v1/batches/{batch}/deviations"))
        .bearer_auth(token);
    if keyed {
        request = request.header("Idempotency-Key", key);
    }
    let sent = request
        .json(&json!({ "description": format!("crash test {key}"), "step_id": "cryopreservation" }))
        .timeout(Duration::from_secs(10))
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {
            match response.headers().get("idempotent-replayed") {
                Some(_) => Outcome::Replayed,
                None => Outcome::Acknowledged,
            }
        }
        Ok(response) => Outcome::Refused(response.status().as_u16()),
        Err(_) => Outcome::Unknown,
    }
}

/// Writers raise deviations, each with its own key, until the server dies under them.
async fn load_until_killed(
    server: &mut Server,
    who: &TestUser,
    batch: &str,
    round: usize,
    outcomes: &Arc<Mutex<HashMap<String, Outcome>>>,
) {
    load_until_killed_by(server, who, batch, round, outcomes, WRITERS, true).await
}

/// The same with `writers` writers, sending the keys as `Idempotency-Key` only if `keyed`.
async fn load_until_killed_by(
    server: &mut Server,
    who: &TestUser,
    batch: &str,
    round: usize,
    outcomes: &Arc<Mutex<HashMap<String, Outcome>>>,
    writers_count: usize,
    keyed: bool,
) {
    let mut writers = Vec::new();
    for writer in 0..writers_count {
        let (client, address) = (reqwest::Client::new(), server.address.clone());
        let (token, batch, outcomes) = (who.token.clone(), batch.to_owned(), outcomes.clone());
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let key = format!("r{round}-w{writer}-n{n}");
                let outcome = raise_with(&client, &address, &token, &batch, &key, keyed).await;
                outcomes.lock().expect("lock").insert(key, outcome);
                if outcome == Outcome::Unknown {
                    break;
                }
            }
        }));
    }
    let alive = rand::thread_rng().gen_range(200..700);
    tokio::time::sleep(Duration::from_millis(alive)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    for writer in writers {
        writer.await.expect("writer");
    }
}

/// An app, its site, and a batch its operators raise deviations in.
async fn app_with_a_batch() -> (TestApp, Site, String) {
    let app = spawn_app().await;
    let site = site(&app).await;
    let batch = create_batch(&app, &site.op1, None).await["batch_number"]
        .as_str()
        .expect("number")
        .to_owned();
    (app, site, batch)
}

/// How many times each key's deviation (`crash test <key>`) is held by the batch.
async fn held_copies(app: &TestApp, who: &TestUser, batch: &str) -> HashMap<String, usize> {
    let view: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&who.token))
        .await
        .json()
        .await
        .expect("view");
    let mut copies: HashMap<String, usize> = HashMap::new();
    for deviation in view["deviations"].as_array().expect("deviations") {
        let description = deviation["description"].as_str().expect("description");
        if let Some(key) = description.strip_prefix("crash test ") {
            *copies.entry(key.to_owned()).or_default() += 1;
        }
    }
    copies
}

fn acknowledged_in(outcomes: &HashMap<String, Outcome>) -> usize {
    outcomes
        .values()
        .filter(|o| **o == Outcome::Acknowledged)
        .count()
}

/// `cartrec verify`: the ledger, the checkpoints and every projection.
fn assert_cli_verifies(app: &TestApp) {
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("ok: ")), "{stdout}");
}

/// Covers: GMP-LED-6, GMP-LED-10
#[tokio::test]
async fn twenty_kills_under_write_load_lose_no_acknowledged_write_and_double_none() {
    let (app, site, batch) = app_with_a_batch().await;
    let outcomes = Arc::new(Mutex::new(HashMap::new()));
    for round in 0..KILLS {
        let mut server = start(&app).await;
        load_until_killed(&mut server, &site.op1, &batch, round, &outcomes).await;
    }

    // After the last kill: retry every request that got no answer, with its key.
    let server = start(&app).await;
    let unknown: Vec<String> = outcomes
        .lock()
        .expect("lock")
        .iter()
        .filter(|(_, outcome)| **outcome == Outcome::Unknown)
        .map(|(key, _)| key.clone())
        .collect();
    let mut retried = HashMap::new();
    for key in &unknown {
        let outcome = raise(&app.client, &server.address, &site.op1.token, &batch, key).await;
        retried.insert(key.clone(), outcome);
    }
    let outcomes = outcomes.lock().expect("lock").clone();
    let acknowledged = acknowledged_in(&outcomes);
    assert!(
        acknowledged >= KILLS,
        "the load wrote: {acknowledged} acknowledged"
    );
    let count = |outcome| retried.values().filter(|o| **o == outcome).count();
    println!(
        "{KILLS} kills: {acknowledged} writes acknowledged, {} cut off and retried: {} got the \
         kept answer, {} ran afresh, {} other",
        unknown.len(),
        count(Outcome::Replayed),
        count(Outcome::Acknowledged),
        unknown.len() - count(Outcome::Replayed) - count(Outcome::Acknowledged),
    );
    // Every claim that survived a kill holds its answer.
    assert_eq!(unanswered_claims(&app), 0);

    let copies = held_copies(&app, &site.op1, &batch).await;
    for (key, outcome) in &outcomes {
        let held = copies.get(key).copied().unwrap_or(0);
        match (outcome, retried.get(key)) {
            (Outcome::Acknowledged, _)
            | (_, Some(Outcome::Acknowledged))
            | (_, Some(Outcome::Replayed)) => {
                assert_eq!(held, 1, "{key} was acknowledged: held {held} times")
            }
            _ => assert!(held <= 1, "{key} held {held} times"),
        }
    }
    for (key, outcome) in &retried {
        assert!(
            matches!(outcome, Outcome::Acknowledged | Outcome::Replayed),
            "retry of {key}: {outcome:?}"
        );
    }
    drop(server);

    assert_cli_verifies(&app);
}

/// Without `Idempotency-Key`, writes go through group commit (a keyed write keeps its own
/// transaction): 16 writers, so that kills land while groups are open or committing. Every
/// write answered 2xx is there exactly once; a write cut off is there once or not at all (its
/// group committed whole or not at all); the ledger and every projection verify.
///
/// Covers: GMP-LED-6
#[tokio::test]
async fn kills_under_grouped_write_load_lose_no_acknowledged_write_and_leave_no_half_group() {
    const GROUPED_KILLS: usize = 10;
    let (app, site, batch) = app_with_a_batch().await;
    let outcomes = Arc::new(Mutex::new(HashMap::new()));
    for round in 0..GROUPED_KILLS {
        let mut server = start(&app).await;
        load_until_killed_by(&mut server, &site.op1, &batch, round, &outcomes, 16, false).await;
    }
    let server = start(&app).await;
    let outcomes = outcomes.lock().expect("lock").clone();
    let acknowledged = acknowledged_in(&outcomes);
    assert!(acknowledged >= GROUPED_KILLS, "{acknowledged} acknowledged");
    let copies = held_copies(&app, &site.op1, &batch).await;
    let mut cut_off_but_recorded = 0;
    for (key, outcome) in &outcomes {
        let held = copies.get(key).copied().unwrap_or(0);
        match outcome {
            Outcome::Acknowledged => assert_eq!(held, 1, "{key} was acknowledged: held {held}"),
            Outcome::Unknown => {
                assert!(held <= 1, "{key} held {held} times");
                cut_off_but_recorded += held;
            }
            other => panic!("{key}: {other:?}"),
        }
    }
    assert_eq!(copies.len(), acknowledged + cut_off_but_recorded);
    println!(
        "{GROUPED_KILLS} kills under 16 unkeyed writers: {acknowledged} acknowledged, all held; \
         {cut_off_but_recorded} cut off before their answer but committed"
    );
    drop(server);
    assert_cli_verifies(&app);
}

/// The crash, made deterministic: the server is killed while a keyed write stands between
/// its claim and its commit (stopped at the ledger's append lock, which the test holds). The
/// claim was part of the write's transaction, so the kill leaves no claim behind, and the
/// retry runs the command afresh, once.
#[tokio::test]
async fn a_server_killed_between_claiming_a_key_and_committing_leaves_no_claim() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let batch = create_batch(&app, &site.op1, None).await["batch_number"]
        .as_str()
        .expect("number")
        .to_owned();
    // No background signing: the only writer stopped at the lock is the request.
    let mut server = start_signing_every(&app, "1000000").await;
    let held = hold_writes(&app);
    let cut_off = {
        let (address, token, batch) = (
            server.address.clone(),
            site.op1.token.clone(),
            batch.clone(),
        );
        let client = app.client.clone();
        tokio::spawn(async move { raise(&client, &address, &token, &batch, "killed").await })
    };
    until_stopped_at_append(&app).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().expect("reaped");
    release(held);
    assert_eq!(cut_off.await.expect("request"), Outcome::Unknown);
    assert_eq!(unanswered_claims(&app), 0);

    let server = start_signing_every(&app, "1000000").await;
    let retry = raise(
        &app.client,
        &server.address,
        &site.op1.token,
        &batch,
        "killed",
    )
    .await;
    assert_eq!(retry, Outcome::Acknowledged, "run afresh, not replayed");
    let again = raise(
        &app.client,
        &server.address,
        &site.op1.token,
        &batch,
        "killed",
    )
    .await;
    assert_eq!(again, Outcome::Replayed);
    let view: Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.op1.token))
        .await
        .json()
        .await
        .expect("view");
    let copies = view["deviations"]
        .as_array()
        .expect("deviations")
        .iter()
        .filter(|d| d["description"] == "crash test killed")
        .count();
    assert_eq!(copies, 1);
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
