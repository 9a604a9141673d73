//! Every endpoint × every role: allowed exactly where the authorization table says, 403
//! elsewhere, 401 without a token. Walks `ENDPOINTS`, the list routes are registered from, so
//! a new endpoint is covered the moment it exists.

use cartrec::auth::authorization::allowed_roles;
use cartrec::auth::is_allowed;
use cartrec::domain::{Role, Roles};
use cartrec::http::ENDPOINTS;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, TestUser};

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> StatusCode {
    let method = Method::from_bytes(method.as_bytes()).expect("HTTP method");
    let mut request = app.client.request(method.clone(), app.url(path));
    if method != Method::GET {
        // An empty object: enough to pass authorization, never enough to change anything.
        request = request.json(&json!({}));
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent").status()
}

/// Covers: P11-10g
#[tokio::test]
async fn every_endpoint_answers_every_role_as_the_table_says() {
    let app = spawn_app().await;
    let mut users: Vec<(Role, TestUser)> = Vec::new();
    for role in Role::ALL {
        let user = if role == Role::Admin {
            TestUser {
                username: app.admin.username.clone(),
                password: app.admin.password.clone(),
                token: app.admin.token.clone(),
            }
        } else {
            app.user_with_roles(&[role.as_str()]).await
        };
        users.push((role, user));
    }
    for endpoint in ENDPOINTS {
        let path = endpoint
            .path
            .replace("{username}", "nobody")
            .replace("{seq}", "0")
            .replace("{tail:.*}", "0/000");
        let anonymous = call(&app, endpoint.method, &path, None).await;
        let Some(action) = endpoint.action else {
            assert!(
                !matches!(anonymous, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{path}"
            );
            continue;
        };
        assert!(
            !allowed_roles(action).is_empty(),
            "{action} has no row in the table"
        );
        assert_eq!(
            anonymous,
            StatusCode::UNAUTHORIZED,
            "{} {path} without a token",
            endpoint.method
        );
        for (role, user) in &mut users {
            let status = call(&app, endpoint.method, &path, Some(&user.token)).await;
            let allowed = is_allowed(&Roles::new([*role]).expect("one role"), action);
            if allowed {
                assert!(
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                    "{role} should pass {} {path}, got {status}",
                    endpoint.method
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} on {} {path}",
                    endpoint.method
                );
            }
            if endpoint.path.ends_with("/logout") && allowed {
                user.token = app.login_token(&user.username, &user.password).await;
            }
        }
    }
}

/// Covers: A11-12.1
#[tokio::test]
async fn browsers_get_no_cross_origin_permission() {
    let app = spawn_app().await;
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/users"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("sent");
    assert!(preflight
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let simple = app
        .client
        .get(app.url("/healthz"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("sent");
    assert!(simple
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
