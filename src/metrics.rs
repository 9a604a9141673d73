//! Prometheus metrics, served at `GET /metrics` on a listener of their own (`metrics_bind`),
//! never on the API's: what is counted here (routes, refusal codes, pool use) tells an
//! attacker about the site, so it goes only where the operator's network lets a scraper in.
//!
//! The counters are process-wide, as the one place that turns errors into problems has no
//! request state to reach: one process is one instance. Each hook elsewhere is one call.

use std::net::TcpListener;
use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, App, HttpResponse, HttpServer};
use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    appends: IntCounterVec,
    group_sizes: Histogram,
    write_turns: Histogram,
    group_commits: Histogram,
    verifications: IntCounterVec,
    login_failures: IntCounter,
    lockouts: IntCounter,
    problems: IntCounterVec,
    pool: IntGaugeVec,
    distrusted: IntCounter,
    trusted: prometheus::IntGauge,
    work: IntGaugeVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Request latency buckets in seconds: from a cached read to an argon2 login on a busy host.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Lock-holding times in seconds: from a bare append to a write on a slow disk.
const LOCK_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];

/// Writes per group commit: 1 when alone, up to the group's limit under load.
const GROUP_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

impl Metrics {
    // The definitions are constants of this file: an invalid or duplicate name is a bug
    // that the first test run shows, never something a user or the database controls.
    fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("cartrec".to_owned()), None).expect("a valid metrics prefix");
        let counters = |name: &str, help: &str, labels: &[&str]| {
            let vec = IntCounterVec::new(Opts::new(name, help), labels).expect("valid counter");
            register(&registry, vec)
        };
        let counter = |name: &str, help: &str| {
            register(
                &registry,
                IntCounter::new(name, help).expect("valid counter"),
            )
        };
        let requests = counters(
            "http_requests_total",
            "HTTP requests answered, by method, route pattern and status",
            &["method", "route", "status"],
        );
        let latency = register(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "http_request_duration_seconds",
                    "Time to answer an HTTP request, by method and route pattern",
                )
                .buckets(LATENCY_BUCKETS.to_vec()),
                &["method", "route"],
            )
            .expect("valid histogram"),
        );
        let appends = counters(
            "ledger_appends_total",
            "Ledger entries written by the appender, by event kind (an entry whose transaction \
             is later rolled back is counted too)",
            &["kind"],
        );
        let group_sizes = register(
            &registry,
            Histogram::with_opts(
                HistogramOpts::new(
                    "ledger_group_commit_writes",
                    "Writes committed together in one group commit (one transaction, one fsync)",
                )
                .buckets(GROUP_BUCKETS.to_vec()),
            )
            .expect("valid histogram"),
        );
        let seconds = |name: &str, help: &str| {
            register(
                &registry,
                Histogram::with_opts(HistogramOpts::new(name, help).buckets(LOCK_BUCKETS.to_vec()))
                    .expect("valid histogram"),
            )
        };
        let write_turns = seconds(
            "ledger_write_turn_seconds",
            "Time one write holds the group's connection (and so the append lock): its reads, \
             decision, appends and projections, in its savepoint",
        );
        let group_commits = seconds(
            "ledger_group_commit_seconds",
            "Time one group's COMMIT takes (the durable flush), while the lock is still held",
        );
        let verifications = counters(
            "ledger_verifications_total",
            "Ledger verifications through the API, by result (ok or failed)",
            &["result"],
        );
        let problems = counters(
            "problems_total",
            "Requests refused or failed, by problem code (the `code` of the problem+json answer)",
            &["code"],
        );
        let login_failures = counter(
            "login_failures_total",
            "Logins refused for their credentials (wrong password; unknown, locked or inactive \
             account)",
        );
        let lockouts = counter(
            "account_lockouts_total",
            "Accounts locked after consecutive wrong passwords",
        );
        let pool = register(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "db_pool_connections",
                    "Database connections of this instance's pool: in_use, idle, and max (its size)",
                ),
                &["state"],
            )
            .expect("valid gauge"),
        );
        let work = register(
            &registry,
            IntGaugeVec::new(
                Opts::new(
                    "request_work",
                    "What this instance's requests cost the database since it started: \
                     statements (queries), reads of a batch's stream (batch_stream_reads) and \
                     of a template's (template_stream_reads)",
                ),
                &["what"],
            )
            .expect("valid gauge"),
        );
        let distrusted = counter(
            "ledger_distrust_total",
            "Times this process stopped trusting its ledger (an entry no signed head covers, a \
             removed tail, a rewritten history): it then refuses every write",
        );
        let trusted = register(
            &registry,
            prometheus::IntGauge::new(
                "ledger_trusted",
                "1 while this instance trusts its ledger and writes, 0 while it is read-only \
                 because its ledger did not verify",
            )
            .expect("valid gauge"),
        );
        Metrics {
            distrusted,
            trusted,
            work,
            registry,
            requests,
            latency,
            appends,
            group_sizes,
            write_turns,
            group_commits,
            verifications,
            login_failures,
            lockouts,
            problems,
            pool,
        }
    }
}

fn register<M: Collector + Clone + 'static>(registry: &Registry, metric: M) -> M {
    registry
        .register(Box::new(metric.clone()))
        .expect("registered once");
    metric
}

/// Counts a ledger entry written, by its event kind (a fixed set, so a bounded label).
pub fn ledger_appended(kind: &str) {
    METRICS.appends.with_label_values(&[kind]).inc();
}

/// Records how many writes one group commit carried and how long its commit took.
pub fn group_committed(writes: usize, commit: std::time::Duration) {
    METRICS.group_sizes.observe(writes as f64);
    METRICS.group_commits.observe(commit.as_secs_f64());
}

/// Records how long one write held the group's connection.
pub fn write_turn(held: std::time::Duration) {
    METRICS.write_turns.observe(held.as_secs_f64());
}

/// Counts a ledger verification asked for through the API.
pub fn verification(ok: bool) {
    let result = if ok { "ok" } else { "failed" };
    METRICS.verifications.with_label_values(&[result]).inc();
}

/// Counts the moment this process stopped trusting its ledger.
pub fn ledger_distrusted() {
    METRICS.distrusted.inc();
}

/// Counts a problem answered, by its stable code.
pub fn problem(code: &str) {
    METRICS.problems.with_label_values(&[code]).inc();
}

/// Counts a login refused for its credentials (the caller tells which failures those are).
pub fn login_refused() {
    METRICS.login_failures.inc();
}

/// Counts an account locked by lock-out.
pub fn account_locked() {
    METRICS.lockouts.inc();
}

/// Middleware: counts and times every request by its route pattern (`/api/v1/batches/{batch_number}`),
/// never its raw path, so that the number of series stays bounded.
pub async fn record_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let result = next.call(req).await;
    let (route, status) = match &result {
        // Routing has run by now: the pattern is that of the resource that answered.
        Ok(response) => (
            response
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned()),
            response.status(),
        ),
        Err(error) => (
            "unmatched".to_owned(),
            error.as_response_error().status_code(),
        ),
    };
    let metrics = &*METRICS;
    metrics
        .requests
        .with_label_values(&[method, route.as_str(), status.as_str()])
        .inc();
    metrics
        .latency
        .with_label_values(&[method, route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    result
}

/// A method outside HTTP's own set is one label, so that made-up methods add no series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// What the gauges show, read from the running instance at each scrape.
#[derive(Debug, Clone, Copy)]
pub struct Gauges {
    /// Open and idle connections of the pool, and its size.
    pub pool: (u32, u32, u32),
    /// Whether this instance trusts its ledger (and so writes).
    pub ledger_trusted: bool,
    /// Statements, batch stream reads and template stream reads of its requests so far.
    pub work: (u64, u64, u64),
}

/// Reads the gauges; handed in by the start-up so that counting imports nothing of the
/// service (the ledger and the error mapping count here).
pub type ReadGauges = std::sync::Arc<dyn Fn() -> Gauges + Send + Sync>;

/// The Prometheus text exposition of every metric, with the gauges read now.
pub fn render(gauges: Gauges) -> String {
    // The gauges are this instance's, set and encoded under one lock: two instances in one
    // process (the tests) never read each other's.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (open, idle, max) = gauges.pool;
    let pool = &METRICS.pool;
    pool.with_label_values(&["in_use"])
        .set(i64::from(open.saturating_sub(idle)));
    pool.with_label_values(&["idle"]).set(i64::from(idle));
    pool.with_label_values(&["max"]).set(i64::from(max));
    METRICS.trusted.set(i64::from(gauges.ledger_trusted));
    let (queries, batch_reads, template_reads) = gauges.work;
    let work = &METRICS.work;
    let as_gauge = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    work.with_label_values(&["queries"]).set(as_gauge(queries));
    work.with_label_values(&["batch_stream_reads"])
        .set(as_gauge(batch_reads));
    work.with_label_values(&["template_stream_reads"])
        .set(as_gauge(template_reads));
    let mut text = Vec::new();
    // Encoding into memory fails only for a metric family the registry cannot hold, which
    // the definitions above never make; an empty answer would show it.
    if let Err(error) = TextEncoder::new().encode(&METRICS.registry.gather(), &mut text) {
        tracing::error!(%error, "metrics not encoded");
    }
    String::from_utf8_lossy(&text).into_owned()
}

async fn metrics(read: web::Data<ReadGauges>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(TextEncoder::new().format_type())
        .body(render(read()))
}

/// The metrics listener: `GET /metrics` and nothing else, on one worker, without
/// authentication (see the README, "Operating": bind it where only the scraper reaches).
pub fn serve(listener: TcpListener, read: ReadGauges) -> std::io::Result<Server> {
    let read = web::Data::new(read);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(read.clone())
            .route("/metrics", web::get().to(metrics))
    })
    .workers(1)
    .listen(listener)?
    .run())
}
