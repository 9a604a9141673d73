//! Prometheus metrics on a listener of their own (`metrics_bind`): what they count, and that
//! routes appear as their pattern. The counters are process-wide and other tests run beside
//! these, so each check is "went up by at least", read before and after.

use std::net::TcpListener;

use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, TestApp};

/// A port free a moment ago, for the metrics listener (the test helpers know only the API's).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub async fn spawn_with_metrics(
    configure: impl FnOnce(&mut cartrec::config::Settings),
) -> (TestApp, String) {
    let port = free_port();
    let app = spawn_app_with(|s| {
        s.metrics_bind = Some(format!("127.0.0.1:{port}"));
        configure(s);
    })
    .await;
    (app, format!("http://127.0.0.1:{port}/metrics"))
}

pub async fn scrape(app: &TestApp, url: &str) -> String {
    let response = app.client.get(url).send().await.expect("scraped");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap_or("");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    response.text().await.expect("text")
}

/// The value of the series `name` whose labels include every pair of `labels` (0 if absent).
pub fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (series_name, rest) = series.split_once('{').unwrap_or((series, ""));
            let all = labels
                .iter()
                .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
            (series_name == name && all).then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

/// Covers: P11-300d-2, A11-13
#[tokio::test]
async fn a_failed_login_and_a_refused_request_are_counted() {
    let (app, url) = spawn_with_metrics(|_| {}).await;
    let before = scrape(&app, &url).await;

    let wrong = app.login("admin", "not the password at all").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let refused = app.get("/api/v1/users", None).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let after = scrape(&app, &url).await;
    let grew = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert!(grew("cartrec_login_failures_total", &[]) >= 1.0, "{after}");
    assert!(grew("cartrec_problems_total", &[("code", "invalid_credentials")]) >= 1.0);
    assert!(grew("cartrec_problems_total", &[("code", "missing_token")]) >= 1.0);
    // The failed login is a ledger event.
    assert!(grew("cartrec_ledger_appends_total", &[]) >= 1.0);
    let login = [("route", "/api/v1/auth/login"), ("status", "401")];
    assert!(grew("cartrec_http_requests_total", &login) >= 1.0);
    let timed = [("route", "/api/v1/auth/login"), ("le", "+Inf")];
    assert!(grew("cartrec_http_request_duration_seconds_bucket", &timed) >= 1.0);
    assert!(value(&after, "cartrec_db_pool_connections", &[("state", "max")]) >= 1.0);
}

#[tokio::test]
async fn a_request_is_counted_under_its_route_pattern_not_its_path() {
    let (app, url) = spawn_with_metrics(|_| {}).await;
    let batch = format!("NOSUCH{}", uuid::Uuid::new_v4().simple());
    let response = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&app.admin.token))
        .await;
    assert!(response.status().is_client_error(), "{}", response.status());

    let text = scrape(&app, &url).await;
    let pattern = [
        ("method", "GET"),
        ("route", "/api/v1/batches/{batch_number}"),
    ];
    assert!(
        value(&text, "cartrec_http_requests_total", &pattern) >= 1.0,
        "{text}"
    );
    assert!(!text.contains(&batch), "a raw path became a label");
}

/// Covers: P11-300d-2, A11-13
#[tokio::test]
async fn lock_outs_and_verifications_are_counted() {
    let (app, url) = spawn_with_metrics(|s| s.lockout_threshold = 2).await;
    let before = scrape(&app, &url).await;
    let verified = app
        .get("/api/v1/ledger/verify", Some(&app.admin.token))
        .await;
    assert_eq!(verified.status(), StatusCode::OK);
    for _ in 0..2 {
        app.login("admin", "not the password at all").await;
    }

    let after = scrape(&app, &url).await;
    let grew = |name: &str, labels: &[(&str, &str)]| {
        value(&after, name, labels) - value(&before, name, labels)
    };
    assert!(
        grew("cartrec_account_lockouts_total", &[]) >= 1.0,
        "{after}"
    );
    assert!(grew("cartrec_ledger_verifications_total", &[("result", "ok")]) >= 1.0);
}

#[tokio::test]
async fn the_api_listener_does_not_serve_metrics() {
    let (app, _) = spawn_with_metrics(|_| {}).await;
    let response = app.get("/metrics", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
