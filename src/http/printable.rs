//! The printable batch record, as an HTML page to print and as a PDF to download and file.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use base64::Engine;

use super::problems::{BadRequest, Forbidden, NotFound, Unauthorized};
use super::AppState;
use crate::accounts::Principal;
use crate::batches::export;
use crate::db::DbConn;
use crate::error::{AppError, ServiceError};
use crate::printable::{self, Footer, PrintableRecord};

/// Inline styles only: the page has no script, no image, nothing fetched.
const HTML_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// The footer's evidence: the checkpoint of the batch's export bundle (the newest that covers
/// the batch's latest entry, signed now if none does) and the bundle's SHA-256, which anyone
/// can compare with the bundle fetched again for that checkpoint.
fn footer(state: &AppState, conn: &mut DbConn, batch_number: &str) -> Result<Footer, ServiceError> {
    let exported = export::build(conn, &state.checkpointing, batch_number, None)?;
    Ok(Footer {
        origin: state.checkpointing.origin.clone(),
        checkpoint_size: exported.checkpoint.size,
        checkpoint_root_base64: base64::engine::general_purpose::STANDARD
            .encode(exported.checkpoint.root),
        bundle_sha256: exported.sha256,
    })
}

async fn record(
    state: web::Data<AppState>,
    batch_number: String,
) -> Result<PrintableRecord, AppError> {
    Ok(state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                printable::assemble(conn, &batch_number, |conn| {
                    footer(&state, conn, &batch_number)
                })
            }
        })
        .await?)
}

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
    html_page(state, path.into_inner()).await
}

/// The printable record as HTML, for whoever the caller has authorized (the API or the UI).
pub(crate) async fn html_page(
    state: web::Data<AppState>,
    batch_number: String,
) -> Result<HttpResponse, AppError> {
    let record = record(state, batch_number).await?;
    let page = printable::html(&record)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, HTML_POLICY))
        .body(page))
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
    pdf_download(state, path.into_inner()).await
}

/// The printable record as a PDF download, for whoever the caller has authorized.
pub(crate) async fn pdf_download(
    state: web::Data<AppState>,
    batch_number: String,
) -> Result<HttpResponse, AppError> {
    let record = record(state, batch_number).await?;
    let filename = format!("batch-record-{}.pdf", record.batch_number);
    // Subsetting and compressing the fonts is CPU work: off the async workers.
    let bytes = web::block(move || printable::pdf(&record))
        .await
        .map_err(|_| printable::RenderError::Interrupted)??;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .body(bytes))
}
