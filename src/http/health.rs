use actix_web::{web, HttpResponse};
use serde_json::json;
use utoipa::ToSchema;

use super::AppState;
use crate::db::migrations;
use crate::error::AppError;

/// What the probes answer.
#[derive(ToSchema)]
#[allow(dead_code)] // Describes the `json!` answers below; never built.
pub struct Probe {
    /// `ok`, `ready` or `not ready`.
    status: String,
    /// Why not ready.
    reason: Option<String>,
}

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "Up", body = Probe)),
)]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and carries every migration this build expects.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = Probe),
        (status = 503, description = "Not ready: migrations pending or database unreachable", body = Probe),
    ),
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ready = state
        .db
        .run(|conn| migrations::is_up_to_date(conn).map_err(AppError::from))
        .await;
    match ready {
        Ok(true) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(false) => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "not ready", "reason": "database migrations are pending" })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "not ready", "reason": "database unreachable" }))
        }
    }
}
