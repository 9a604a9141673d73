use actix_web::{web, HttpResponse};
use serde_json::json;

use super::AppState;
use crate::db::migrations;
use crate::error::AppError;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and carries every migration this build expects.
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
