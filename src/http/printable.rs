//! The printable batch record, as an HTML page to print and as a PDF to download and file.

use actix_web::{web, HttpResponse};

use super::problems::{BadRequest, Forbidden, NotFound, Unauthorized};
use super::AppState;
use crate::edge::downloads::{record_html, record_pdf};
use crate::error::AppError;
use crate::services::accounts::Principal;

/// The batch record as one self-contained HTML page with print CSS: every stage, step,
/// value, unit and range, performer and verifier, each signature's manifestation (printed
/// name, date and time, meaning), deviations, corrections with their history, holds, QC
/// results with their verdicts, custody and the QP's decision; the checkpoint and the export
/// bundle's SHA-256 in the footer of every printed page.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{batch_number}/record.html",
    tag = "batches",
    operation_id = "printable_record_html",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number")),
    responses(
        (status = 200, description = "The printable record", content_type = "text/html", body = String),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn html(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    record_html(state, path.into_inner()).await
}

/// The same record as a PDF (A4, DejaVu Sans embedded), downloaded as
/// `batch-record-<batch number>.pdf`, with the checkpoint, the export bundle's SHA-256 and the
/// page number in every page footer.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{batch_number}/record.pdf",
    tag = "batches",
    operation_id = "printable_record_pdf",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number")),
    responses(
        (status = 200, description = "The printable record", content_type = "application/pdf", body = Vec<u8>,
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"batch-record-<batch number>.pdf\"`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn pdf(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    record_pdf(state, path.into_inner()).await
}
