//! HTTP: thin handlers that parse a request into domain types, call the domain and the ledger
//! on the blocking pool, and answer. One file per resource.

mod auth;
mod extract;
mod health;
mod ledger;
mod users;

use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::SessionPolicy;
use crate::auth::{Action, TokenKeys};
use crate::db::Db;
use crate::error::AppError;

pub struct AppState {
    pub db: Db,
    pub tokens: TokenKeys,
    pub sessions: SessionPolicy,
}

/// Every API endpoint and the action it needs (`None`: open to anyone). Routes are registered
/// from this list's paths, and the authorization test walks it.
pub const ENDPOINTS: &[(&str, &str, Option<Action>)] = &[
    ("POST", "/api/v1/auth/login", None),
    (
        "POST",
        "/api/v1/auth/password",
        Some(Action::ManageOwnAccount),
    ),
    (
        "POST",
        "/api/v1/auth/logout",
        Some(Action::ManageOwnAccount),
    ),
    ("GET", "/api/v1/users/me", Some(Action::ManageOwnAccount)),
    ("GET", "/api/v1/users", Some(Action::ListUsers)),
    ("POST", "/api/v1/users", Some(Action::CreateUser)),
    (
        "POST",
        "/api/v1/users/{username}/roles",
        Some(Action::ChangeUserRoles),
    ),
    (
        "POST",
        "/api/v1/users/{username}/deactivate",
        Some(Action::DeactivateUser),
    ),
    ("GET", "/api/v1/ledger/entries", Some(Action::ReadLedger)),
    ("GET", "/api/v1/ledger/verify", Some(Action::VerifyLedger)),
];

pub fn configure(max_body_bytes: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(json_config(max_body_bytes))
            .app_data(web::PayloadConfig::new(max_body_bytes))
            .app_data(web::QueryConfig::default().error_handler(|e, _| bad_request(e)))
            .app_data(web::PathConfig::default().error_handler(|e, _| bad_request(e)))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .service(
                web::scope("/api/v1")
                    .route("/auth/login", web::post().to(auth::login))
                    .route("/auth/password", web::post().to(auth::change_password))
                    .route("/auth/logout", web::post().to(auth::logout))
                    .route("/users/me", web::get().to(users::me))
                    .route("/users", web::get().to(users::list))
                    .route("/users", web::post().to(users::create))
                    .route(
                        "/users/{username}/roles",
                        web::post().to(users::change_roles),
                    )
                    .route(
                        "/users/{username}/deactivate",
                        web::post().to(users::deactivate),
                    )
                    .route("/ledger/entries", web::get().to(ledger::entries))
                    .route("/ledger/verify", web::get().to(ledger::verify)),
            )
            .default_service(web::to(not_found));
    }
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .error_handler(|e, _| bad_request(e))
}

fn bad_request(e: impl std::fmt::Display) -> actix_web::Error {
    AppError::BadRequest(format!("the request could not be read: {e}")).into()
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let known_path = ENDPOINTS
        .iter()
        .any(|(_, path, _)| path_matches(path, req.path()));
    if known_path && req.method() != Method::OPTIONS {
        return Err(AppError::MethodNotAllowed(req.method().to_string()));
    }
    Err(AppError::NotFound(format!(
        "there is nothing at {}",
        req.path()
    )))
}

/// Matches a concrete path against a route pattern with `{name}` segments.
fn path_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
}
