//! HTTP at the protocol's edges: HEAD, over-long URIs, malformed requests. What the
//! application answers is problem+json with the security headers; what actix-http answers
//! before the application runs is bare, and this file pins which is which.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

fn assert_security_headers(response: &Response, what: &str) {
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "no-store", "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    assert!(headers.contains_key("content-security-policy"), "{what}");
    assert!(headers.contains_key("x-request-id"), "{what}");
}

fn content_type(response: &Response) -> &str {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn head(app: &TestApp, path: &str, token: Option<&str>) -> Response {
    let mut request = app.client.head(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

/// Covers: P11-10a-2
#[tokio::test]
async fn head_is_answered_like_get_without_a_body() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    for (path, token) in [
        ("/healthz", None),
        ("/readyz", None),
        ("/api/v1/users/me", Some(auditor.token.as_str())),
        (
            "/api/v1/ledger/entries?from=0&limit=5",
            Some(&auditor.token),
        ),
    ] {
        let get = app.get(path, token).await;
        let response = head(&app, path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(response.status(), get.status(), "HEAD {path} as GET");
        assert_eq!(content_type(&response), content_type(&get), "HEAD {path}");
        assert_security_headers(&response, path);
        assert!(
            response.bytes().await.expect("body").is_empty(),
            "HEAD {path} has no body"
        );
    }
}

/// Covers: P11-10g
#[tokio::test]
async fn head_needs_the_same_authorization_as_get() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let anonymous = head(&app, "/api/v1/ledger/entries", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    assert_security_headers(&anonymous, "anonymous HEAD");
    let wrong_role = head(&app, "/api/v1/ledger/entries", Some(&operator.token)).await;
    assert_eq!(wrong_role.status(), StatusCode::FORBIDDEN);
    // HEAD stands in for GET only: a POST-only path still refuses it.
    let post_only = head(&app, "/api/v1/auth/login", None).await;
    assert_eq!(post_only.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post_only.headers()["allow"], "POST");
}

/// Covers: P11-10a-2
#[tokio::test]
async fn a_method_a_path_does_not_serve_is_405_with_the_methods_it_does() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/api/v1/batches", "GET, HEAD, POST"),
        (Method::TRACE, "/api/v1/batches/B-1/export", "GET, HEAD"),
        (Method::DELETE, "/api/v1/auth/login", "POST"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
    }
}

/// Covers: A11-12.1, P11-10a-2
#[tokio::test]
async fn every_refusal_the_application_makes_is_problem_json_with_security_headers() {
    let app = spawn_app().await;
    let long_uri = format!("/healthz?{}", "a".repeat(cartrec::http::MAX_URI_BYTES));
    let cases: Vec<(StatusCode, reqwest::RequestBuilder)> = vec![
        (
            StatusCode::NOT_FOUND,
            app.client.get(app.url("/no/such/thing")),
        ),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            app.client.request(Method::DELETE, app.url("/api/v1/users")),
        ),
        (
            StatusCode::BAD_REQUEST,
            app.client
                .post(app.url("/api/v1/auth/login"))
                .header("content-type", "application/json")
                .body("{\"username\": "),
        ),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            app.client
                .post(app.url("/api/v1/auth/login"))
                .json(&json!({ "username": "a".repeat(300 * 1024), "password": "x" })),
        ),
        (StatusCode::URI_TOO_LONG, app.client.get(app.url(&long_uri))),
    ];
    for (expected, request) in cases {
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), expected);
        assert_eq!(
            content_type(&response),
            "application/problem+json",
            "{expected}"
        );
        assert_security_headers(&response, expected.as_str());
        let body: serde_json::Value = response.json().await.expect("problem JSON");
        assert_eq!(body["status"], expected.as_u16());
    }
    // A URI at the limit is read (and here, found).
    let at_limit = format!(
        "/healthz?{}",
        "a".repeat(cartrec::http::MAX_URI_BYTES - "/healthz?".len())
    );
    assert_eq!(app.get(&at_limit, None).await.status(), StatusCode::OK);
}

/// Sends raw bytes on a new connection and returns what the server answers, up to its close.
fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // The server may answer and close before it has read everything; that is its right.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// Covers: A11-12.1
#[tokio::test]
async fn an_over_long_uri_sent_raw_gets_414_problem_json() {
    let app = spawn_app().await;
    let target = format!("/api/v1/users?{}", "q".repeat(20 * 1024));
    let answer = raw_exchange(
        &app,
        format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer:.200}");
    let head = answer.to_ascii_lowercase();
    assert!(
        head.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(head.contains("x-frame-options: deny"), "{answer}");
    assert!(answer.contains("uri_too_long"), "{answer}");
}

/// actix-http answers these itself, before any middleware, with no way to change the response
/// (its h1 dispatcher builds them inline); the README says so and points to a reverse proxy.
/// If this test fails because the headers appear, the framework has changed: update the README.
/// Covers: A11-12.1
#[tokio::test]
async fn malformed_requests_are_refused_by_the_framework_before_the_application() {
    let app = spawn_app().await;
    let invalid_header = raw_exchange(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad\x01Name: y\r\n\r\n",
    );
    assert!(
        invalid_header.starts_with("HTTP/1.1 400"),
        "{invalid_header}"
    );
    let too_many_headers = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..100)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let too_many = raw_exchange(&app, too_many_headers.as_bytes());
    assert!(too_many.starts_with("HTTP/1.1 431"), "{too_many}");
    let huge_head = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(129 * 1024)
    );
    let huge = raw_exchange(&app, huge_head.as_bytes());
    assert!(huge.starts_with("HTTP/1.1 431"), "{huge:.200}");
    for answer in [&invalid_header, &too_many, &huge] {
        assert!(
            !answer.to_ascii_lowercase().contains("x-frame-options"),
            "{answer:.300}"
        );
    }
    // The server keeps serving.
    assert_eq!(app.get("/healthz", None).await.status(), StatusCode::OK);
}
