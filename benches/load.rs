//! Load through HTTP against the real server, next to the limits measured in the same run.
//!
//!     cargo bench --bench load
//!     CARTREC_BENCH_SECONDS=2 cargo bench --bench load       # a quick run (< 1 min)
//!
//! Starts the `cartrec` binary (release build) on each backend, SQLite in a temp directory
//! and PostgreSQL on a scratch database (as `bench ledger` picks it), sets up a site through
//! the API, and drives it from 16 concurrent clients, each writing into its own batch:
//! (a) unsigned writes, a deviation raised by hand, next to the database's own ceiling for
//! rows of the same size (PostgreSQL: pgbench's single-row INSERT from as many clients;
//! SQLite: serial durable single-row INSERTs); (b) signed writes, the repeatable in-process
//! count recorded with its `performed` signature, next to the rate of bare argon2id checks
//! (the server's parameters) on every core. Prints each rate, its limit and their ratio,
//! p50/p99 latency, the server's peak resident memory idle and under load, and the time from
//! spawn until `/readyz` answers, each next to the goal of issue 17. Then (c) the list views
//! (the API's batch list, the UI's home page, batch list, open deviations and corrections
//! waiting) at 20 and at 1,000 open batches, each next to issue 25's goal (within 2×).
//!
//! Settings (environment): `CARTREC_BENCH_SECONDS` each measured window (10),
//! `CARTREC_BENCH_WARMUP_SECONDS` before it (1), `CARTREC_BENCH_CLIENTS` (16),
//! `CARTREC_BENCH_BACKEND` (`sqlite` or `postgresql`: only that one),
//! `CARTREC_BENCH_LISTS_SMALL` and `CARTREC_BENCH_LISTS_LARGE` (20 and 1000 open batches;
//! a large of 0 skips the list views),
//! `CARTREC_BENCH_POSTGRES` (an admin URL; default postgres://postgres@127.0.0.1:5432/postgres).

mod common;
#[path = "load/drive.rs"]
mod drive;
#[path = "load/limits.rs"]
mod limits;
#[path = "load/lists.rs"]
mod lists;
#[path = "load/server.rs"]
mod server;
#[path = "load/site.rs"]
mod site;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use drive::{Outcome, Window, Writer};
use server::{LockUse, Server, Site};
use site::{Api, Prepared};

/// The goals of issue 17.
const UNSIGNED_GOAL: f64 = 0.5;
const UNSIGNED_P99_GOAL_MS: f64 = 25.0;
const SIGNED_GOAL: f64 = 0.8;
const IDLE_RSS_GOAL_MIB: f64 = 64.0;
const LOAD_RSS_GOAL_MIB: f64 = 256.0;
const COLD_START_GOAL_S: f64 = 1.0;
/// Issue 25: a list view at the large number of open batches within this many times its
/// time at the small one.
const LIST_GROWTH_GOAL: f64 = 2.0;
/// Left to the server after it is ready and before its idle memory is read.
const SETTLE: Duration = Duration::from_secs(1);

struct Config {
    seconds: f64,
    warm_up: f64,
    clients: usize,
    /// Open batches at which the list views are timed (0 and 0: not timed).
    lists: (usize, usize),
}

impl Config {
    fn from_env() -> Config {
        let number = |name: &str, default: f64| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| *v >= 0.0)
                .unwrap_or(default)
        };
        Config {
            seconds: number("CARTREC_BENCH_SECONDS", 10.0).max(1.0),
            warm_up: number("CARTREC_BENCH_WARMUP_SECONDS", 1.0),
            clients: number("CARTREC_BENCH_CLIENTS", 16.0).max(1.0) as usize,
            lists: (
                number("CARTREC_BENCH_LISTS_SMALL", 20.0) as usize,
                number("CARTREC_BENCH_LISTS_LARGE", 1000.0) as usize,
            ),
        }
    }

    fn window(&self) -> Window {
        Window {
            warm_up: Duration::from_secs_f64(self.warm_up),
            measured: Duration::from_secs_f64(self.seconds),
        }
    }
}

/// Everything measured on one backend.
struct Measured {
    first_start: Duration,
    cold_start: Duration,
    row_bytes: usize,
    idle_rss: f64,
    database_ceiling: f64,
    unsigned: Outcome,
    unsigned_cpu: Duration,
    unsigned_lock: LockUse,
    unsigned_rss: f64,
    argon2: f64,
    signed: Outcome,
    signed_cpu: Duration,
    signed_lock: LockUse,
    signed_rss: f64,
    lists: Option<lists::Lists>,
}

fn bench_backend(backend: &str, url: &str) {
    let config = Config::from_env();
    let scratch = tempfile::tempdir().expect("temp dir");
    let site = Site {
        database_url: url.to_owned(),
        data_dir: scratch.path().join("data"),
    };
    // The clients share one thread: the server gets the cores.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let postgres = url.starts_with("postgres");
    let measured = measure(&runtime, &site, &config, |row_bytes| {
        if postgres {
            limits::pgbench_insert_rate(
                url,
                config.clients,
                config.seconds.round() as u64,
                row_bytes,
                scratch.path(),
            )
        } else {
            // Next to cartrec's own database file: the same file system.
            let beside_cartrec = Path::new(url).parent().unwrap_or(scratch.path());
            limits::sqlite_serial_insert_rate(beside_cartrec, config.seconds, row_bytes)
        }
    });
    report(backend, postgres, &config, &measured);
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    site: &Site,
    config: &Config,
    database_ceiling: impl FnOnce(usize) -> f64,
) -> Measured {
    let (first_start, prepared, row_bytes) = runtime.block_on(first_start(site, config));
    let server = runtime.block_on(site.start());
    std::thread::sleep(SETTLE);
    let idle_rss = server.peak_rss_mib();
    let api = Api::new(&server);

    let database_ceiling = database_ceiling(row_bytes);
    let (unsigned, unsigned_cpu, unsigned_lock) =
        runtime.block_on(timed(&server, &api, unsigned_writers(&prepared), config));
    let unsigned_rss = server.peak_rss_mib();

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let argon2 = limits::argon2_rate(threads, config.seconds);
    let (signed, signed_cpu, signed_lock) =
        runtime.block_on(timed(&server, &api, signed_writers(&prepared), config));
    let signed_rss = server.peak_rss_mib();
    let (small, large) = config.lists;
    let lists =
        (large > 0).then(|| runtime.block_on(lists::measure(&api, &prepared, small, large)));
    Measured {
        first_start,
        cold_start: server.ready_after,
        row_bytes,
        idle_rss,
        database_ceiling,
        unsigned,
        unsigned_cpu,
        unsigned_lock,
        unsigned_rss,
        argon2,
        signed,
        signed_cpu,
        signed_lock,
        signed_rss,
        lists,
    }
}

/// Starts on the empty database, sets the site up, and raises one deviation to learn the size
/// of its ledger row; the server is stopped when this returns.
async fn first_start(site: &Site, config: &Config) -> (Duration, Prepared, usize) {
    let server = site.start().await;
    let api = Api::new(&server);
    let password = server
        .bootstrap_password
        .clone()
        .expect("a first start prints the admin's one-time password");
    let prepared = site::prepare(&api, site, &password, config.clients).await;
    let (operator, batch) = (&prepared.operators[0], &prepared.batches[0]);
    let deviation = json!({ "description": site::deviation_description(0) });
    api.post(
        &format!("/api/v1/batches/{}/deviations", batch.number),
        Some(&operator.token),
        &deviation,
        201,
    )
    .await;
    let row_bytes = site::deviation_entry_bytes(&api, &prepared.auditor).await;
    (server.ready_after, prepared, row_bytes)
}

/// Drives the writers and answers the server's CPU time spent meanwhile and how long its
/// writes held the ledger's lock.
async fn timed(
    server: &Server,
    api: &Api,
    writers: Vec<Writer>,
    config: &Config,
) -> (Outcome, Duration, LockUse) {
    let (before, lock_before) = (server.cpu_time(), server.lock_use().await);
    let outcome = drive::drive(api, writers, &config.window()).await;
    let cpu = server.cpu_time().saturating_sub(before);
    (outcome, cpu, server.lock_use().await.since(&lock_before))
}

/// Client i raises deviations by hand in batch i, as operator i.
fn unsigned_writers(prepared: &Prepared) -> Vec<Writer> {
    prepared
        .operators
        .iter()
        .zip(&prepared.batches)
        .map(|(operator, batch)| Writer {
            path: format!("/api/v1/batches/{}/deviations", batch.number),
            token: operator.token.clone(),
            body: Arc::new(|i| json!({ "description": site::deviation_description(i + 1) })),
        })
        .collect()
}

/// Client i records the in-process count in batch i, signed `performed` by operator i.
fn signed_writers(prepared: &Prepared) -> Vec<Writer> {
    prepared
        .operators
        .iter()
        .zip(&prepared.batches)
        .map(|(operator, batch)| {
            let signature = site::signature(operator, "performed");
            Writer {
                path: format!("/api/v1/batches/{}/steps/expansion", batch.number),
                token: operator.token.clone(),
                body: Arc::new(
                    move |i| json!({ "values": site::expansion_values(i), "signature": signature }),
                ),
            }
        })
        .collect()
}

fn report(backend: &str, postgres: bool, config: &Config, m: &Measured) {
    println!(
        "\n== {backend}: {} clients into {} batches, {:.0} s measured after {:.0} s warm-up; \
         load average {}",
        config.clients,
        config.clients,
        config.seconds,
        config.warm_up,
        load_average()
    );
    println!(
        "cold start to ready: {:.3} s (empty database: {:.3} s)   goal <= {COLD_START_GOAL_S} s: {}",
        m.cold_start.as_secs_f64(),
        m.first_start.as_secs_f64(),
        verdict(m.cold_start.as_secs_f64() <= COLD_START_GOAL_S)
    );
    let ceiling = if postgres {
        format!(
            "pgbench INSERT of {} B rows, {} clients",
            m.row_bytes, config.clients
        )
    } else {
        format!("SQLite serial durable INSERT of {} B rows", m.row_bytes)
    };
    let p99_ok =
        !postgres || m.unsigned.percentile(0.99).as_secs_f64() * 1e3 <= UNSIGNED_P99_GOAL_MS;
    print_load(
        "unsigned writes (deviation raised)",
        &m.unsigned,
        m.unsigned_cpu,
        &m.unsigned_lock,
        (&ceiling, m.database_ceiling),
        UNSIGNED_GOAL,
    );
    if postgres {
        println!(
            "    p99 goal <= {UNSIGNED_P99_GOAL_MS} ms: {}",
            verdict(p99_ok)
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    print_load(
        "signed writes (in-process count, performed)",
        &m.signed,
        m.signed_cpu,
        &m.signed_lock,
        (
            &format!("bare argon2id checks on {threads} threads"),
            m.argon2,
        ),
        SIGNED_GOAL,
    );
    println!(
        "server peak RSS (VmHWM): idle {:.1} MiB (goal <= {IDLE_RSS_GOAL_MIB}: {}), \
         after unsigned load {:.1} MiB, after signed load {:.1} MiB (goal <= {LOAD_RSS_GOAL_MIB}: {})",
        m.idle_rss,
        verdict(m.idle_rss <= IDLE_RSS_GOAL_MIB),
        m.unsigned_rss,
        m.signed_rss,
        verdict(m.signed_rss <= LOAD_RSS_GOAL_MIB)
    );
    if let Some(lists) = &m.lists {
        print_lists(lists);
    }
}

fn print_lists(lists: &lists::Lists) {
    println!(
        "list views, median of {} requests one after another, at {} and {} open batches \
         (each with an open deviation; QA's session for the UI; {} s after the last write):",
        lists::SAMPLES,
        lists.small,
        lists.large,
        lists::SETTLE.as_secs()
    );
    for (view, (small, large)) in lists::VIEWS.iter().zip(&lists.timed) {
        let ratio = large.median.as_secs_f64() / small.median.as_secs_f64().max(1e-9);
        println!(
            "    {view:<36} {:>7.2} ms ({:>6} B) -> {:>7.2} ms ({:>6} B)   {ratio:.2}x   \
             goal <= {LIST_GROWTH_GOAL}x: {}",
            ms(small.median),
            small.bytes,
            ms(large.median),
            large.bytes,
            verdict(ratio <= LIST_GROWTH_GOAL)
        );
    }
}

fn print_load(
    what: &str,
    outcome: &Outcome,
    cpu: Duration,
    lock: &LockUse,
    (limit_name, limit): (&str, f64),
    goal: f64,
) {
    let ratio = outcome.rate() / limit;
    let (first, second) = outcome.halves();
    println!(
        "{what}: {:.0}/s   limit ({limit_name}): {limit:.0}/s   ratio {:.1}%   goal >= {:.0}%: {}",
        outcome.rate(),
        ratio * 100.0,
        goal * 100.0,
        verdict(ratio >= goal)
    );
    println!(
        "    p50 {:.1} ms  p99 {:.1} ms   {} writes, {} failed   first half {first:.0}/s, \
         second half {second:.0}/s   server CPU {:.2} ms/write",
        ms(outcome.percentile(0.5)),
        ms(outcome.percentile(0.99)),
        outcome.count(),
        outcome.failures,
        ms(cpu) / outcome.requests_sent().max(1) as f64,
    );
    if lock.turns > 0.0 {
        // Writes take the lock one after another: its busy time per write bounds the rate.
        let turn = lock.turn_seconds / lock.turns;
        let commit = lock.commit_seconds / lock.commits.max(1.0);
        let per_group = lock.turns / lock.commits.max(1.0);
        let busy_per_write = turn + commit / per_group;
        println!(
            "    ledger lock per write: {:.2} ms in its turn (reads, decision, appends, \
             projections) + {:.2} ms commit per group of {per_group:.1} writes = \
             {:.2} ms, so at most {:.0} writes/s",
            turn * 1e3,
            commit * 1e3,
            busy_per_write * 1e3,
            1.0 / busy_per_write
        );
    }
    if let Some(failure) = &outcome.first_failure {
        println!("    first failure: {failure}");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn main() {
    common::on_each_backend("cartrec_load", bench_backend);
}
