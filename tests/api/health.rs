use serde_json::Value;

use crate::helpers::{problem, spawn_app};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz", None).await.status(), 200);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.expect("JSON");
    assert_eq!(body["status"], "ready");
}

/// Covers: P11-10a-2
#[tokio::test]
async fn unknown_paths_and_methods_get_problem_json() {
    let app = spawn_app().await;
    let (status, body) = problem(app.get("/no/such/thing", None).await).await;
    assert_eq!(status, 404);
    assert_eq!(body["type"], "https://cartrec.org/problems/not_found");
    let (status, _) = problem(app.get("/api/v1/auth/login", None).await).await;
    assert_eq!(status, 405);
}

/// Covers: A11-12.1
#[tokio::test]
async fn responses_carry_security_headers() {
    let app = spawn_app().await;
    let response = app.get("/healthz", None).await;
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("content-security-policy"));
    assert_eq!(headers["x-request-id"].len(), 36, "a UUID per request");
    // Refusals made before a handler runs carry them too.
    let refused = app.get("/api/v1/users", None).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["x-frame-options"], "DENY");
    assert!(refused.headers().contains_key("x-request-id"));
}
