//! Signed checkpoints (C2SP tlog-checkpoint signed notes) and the key that verifies them, as
//! plain text for the tools that speak these formats.

use actix_web::{web, HttpResponse};

use super::problems::{Conflict, Forbidden, NotFound, Unauthorized};
use super::AppState;
use crate::edge::downloads::{newest_checkpoint, note};
use crate::error::AppError;
use crate::services::accounts::Principal;

/// Signs a checkpoint of the ledger as it is now (or answers the newest one if it already
/// covers every entry). Refused when the ledger is not a consistent extension of the last
/// checkpoint signed, in the database or in `checkpoint_dir`.
#[utoipa::path(
    post,
    path = "/api/v1/ledger/checkpoint",
    tag = "ledger",
    operation_id = "sign_checkpoint",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed note", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
    ),
)]
pub async fn sign(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let signed = state
        .db
        .run({
            let state = state.clone();
            move |conn| state.checkpointing.sign_now(conn)
        })
        .await?;
    Ok(note(signed.note))
}

/// The newest signed checkpoint.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/checkpoint",
    tag = "ledger",
    operation_id = "latest_checkpoint",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed note", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn latest(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    newest_checkpoint(&state).await
}

/// The checkpoint verifier key, in C2SP signed-note `vkey` form.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/vkey",
    tag = "ledger",
    operation_id = "checkpoint_vkey",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`<name>+<key id>+<key>`", content_type = "text/plain", body = String),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn vkey(_who: Principal, state: web::Data<AppState>) -> HttpResponse {
    note(format!("{}\n", state.checkpointing.vkey()))
}
