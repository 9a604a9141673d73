//! An auditor reads everything and writes nothing (domain notes: "writes anything but its own
//! login"): every GET an auditor is allowed answers, every write but their own account's is
//! refused, and afterwards the ledger holds nothing new outside the auditor's own stream.

use cartrec::auth::is_allowed;
use cartrec::domain::{Role, Roles};
use cartrec::http::ENDPOINTS;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;
use crate::release_support::{released, team};

/// The endpoint's path with each `{parameter}` filled in for this batch.
fn filled(path: &str, batch: &str, auditor: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{batch_number}" => batch.to_owned(),
            "{username}" => auditor.to_owned(),
            "{seq}" | "{deviation_id}" | "{correction_id}" | "{shipment_id}" => "1".to_owned(),
            "{tail:.*}" => "0/000.p/1".to_owned(),
            "{code}" => "cd19-car-t".to_owned(),
            "{version}" => "1".to_owned(),
            s if s.starts_with('{') => "x".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Covers: GMP-ROLE-3
#[tokio::test]
async fn an_auditor_reads_every_record_and_writes_nothing_but_their_own_login() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = released(&app, &team).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let before = app.ledger_entries(&auditor).await.len();
    let roles = Roles::new([Role::Auditor]).expect("roles");

    for endpoint in ENDPOINTS.iter().filter(|e| e.action.is_some()) {
        let action = endpoint.action.expect("filtered");
        let path = filled(endpoint.path, &batch, &auditor.username);
        let query = match endpoint.path {
            "/api/v1/ledger/proof/inclusion" => "?index=0&size=2",
            "/api/v1/ledger/proof/consistency" => "?from=1&to=2",
            _ => "",
        };
        let method = Method::from_bytes(endpoint.method.as_bytes()).expect("method");
        let own_account = action.as_str() == "manage_own_account";
        if method != Method::GET && is_allowed(&roles, action) {
            // Their own account (password, logout, ...) and signing a checkpoint, which is not
            // a ledger entry: nothing else. Not called, so the session stays open.
            assert!(
                own_account || path.ends_with("/ledger/checkpoint"),
                "an auditor may write {path}"
            );
            continue;
        }
        let mut request = app
            .client
            .request(method.clone(), app.url(&format!("{path}{query}")));
        if method != Method::GET {
            request = request.json(&json!({}));
        }
        let status = request
            .bearer_auth(&auditor.token)
            .send()
            .await
            .expect("sent")
            .status();
        if is_allowed(&roles, action) {
            assert!(
                status.is_success() || status == StatusCode::NOT_FOUND,
                "an auditor reads {path}: {status}"
            );
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {path}", endpoint.method);
        }
    }

    let after = app.ledger_entries(&auditor).await;
    let own = format!("user/{}", auditor.username);
    for entry in &after[before..] {
        assert_eq!(entry["stream"], own.as_str(), "an auditor wrote {entry}");
    }
}
