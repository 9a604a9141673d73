//! The batch export bundle, for inspectors to check offline with `cartrec verify-bundle`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::problems::{BadRequest, Forbidden, NotFound, Unauthorized};
use super::AppState;
use crate::edge::downloads::export_bundle;
use crate::error::AppError;
use crate::services::accounts::Principal;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// The size of a signed checkpoint to prove the entries against, to fetch again the exact
    /// bundle a printed record names; the newest checkpoint when omitted (one is signed first if
    /// none covers the batch's latest entry).
    #[param(value_type = Option<u64>, minimum = 1)]
    checkpoint: Option<String>,
}

/// The batch's export bundle (format `cartrec-batch-bundle/1`, described in the README and
/// inside the file): every entry of the batch and of each record it names (chain of identity,
/// template, lots, equipment, attachments) with its bytes, an inclusion proof of each against
/// one signed checkpoint, the checkpoint, the verifier key and a signed statement of each
/// stream's length. The same checkpoint always gives the same bytes.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{batch_number}/export",
    tag = "batches",
    operation_id = "export_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ExportQuery),
    responses(
        (status = 200, description = "The bundle, as a JSON download", content_type = "application/json", body = Object,
            headers(
                ("Repr-Digest" = String, description = "RFC 9530 `sha-256=:<base64>:` of the bundle"),
                ("ETag" = String, description = "The bundle's lowercase hex SHA-256, quoted"),
            )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn bundle(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
) -> Result<HttpResponse, AppError> {
    let size = checkpoint_size(query.into_inner().checkpoint)?;
    export_bundle(state, path.into_inner(), size).await
}

fn checkpoint_size(raw: Option<String>) -> Result<Option<u64>, AppError> {
    raw.map(|raw| {
        raw.parse::<u64>()
            .ok()
            .filter(|size| *size > 0)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "`checkpoint` must be the size of a signed checkpoint, not {raw:?}"
                ))
            })
    })
    .transpose()
}
