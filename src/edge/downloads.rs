//! What both doors serve as a download or a page of their own, so that the API (`http/`) and
//! the web UI (`web/`) answer the same bytes for the same request, each after its own
//! authorization: the audit trail as CSV, the newest signed checkpoint, the printable batch
//! record (HTML and PDF) and the batch's export bundle.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::AppState;
use crate::db::{DbConn, DbError};
use crate::domain::DomainError;
use crate::error::{AppError, ServiceError};
use crate::ledger::{self, checkpoints, AuditFilter, Entry, EventKind, Stream};
use crate::printable::{self, Footer, PrintableRecord};
use crate::services::batches::export;

/// The most rows a download holds; more is refused (422) rather than cut short.
pub const MAX_DOWNLOAD: i64 = 100_000;
const CSV_HEADER: [&str; 7] = [
    "seq",
    "hash",
    "recorded_at",
    "actor",
    "stream",
    "kind",
    "payload",
];

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

fn instant(name: &str, raw: &str) -> Result<String, AppError> {
    let at = DateTime::parse_from_rfc3339(raw).map_err(|e| {
        bad(format!(
            "`{name}` must be an RFC 3339 date and time such as 2026-11-24T10:00:00Z ({e})"
        ))
    })?;
    Ok(ledger::format_recorded_at(at.with_timezone(&Utc)))
}

/// The filter the parameters describe, or a 400 naming the parameter that is wrong.
pub fn audit_filter(
    batch: Option<&str>,
    user: Option<&str>,
    kind: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    cursor: Option<&str>,
) -> Result<AuditFilter, AppError> {
    let stream = batch
        .map(|number| {
            Stream::named("batch/", number)
                .map(|s| s.as_str().to_owned())
                .map_err(|_| bad(format!("`batch` {number:?} is not a batch number")))
        })
        .transpose()?;
    let actor = user
        .map(|name| {
            if name.is_empty() || name.len() > 128 {
                Err(bad("`user` must be a username of 1 to 128 characters"))
            } else {
                Ok(name.to_owned())
            }
        })
        .transpose()?;
    let kind = kind
        .map(|raw| {
            EventKind::parse(raw).map(|_| raw.to_owned()).map_err(|_| {
                bad(format!(
                    "`kind` {raw:?} is not an event kind such as batch.step_recorded"
                ))
            })
        })
        .transpose()?;
    let from = from.map(|raw| instant("from", raw)).transpose()?;
    let to = to.map(|raw| instant("to", raw)).transpose()?;
    if let (Some(from), Some(to)) = (&from, &to) {
        if from >= to {
            return Err(bad("`from` must be before `to`"));
        }
    }
    let cursor = match cursor {
        None => 0,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|cursor| *cursor >= 0)
            .ok_or_else(|| {
                bad(format!(
                    "`cursor` must be a whole number, 0 or more, not {raw:?}"
                ))
            })?,
    };
    Ok(AuditFilter {
        stream,
        actor,
        kind,
        from,
        to,
        cursor,
    })
}

/// Every matching entry, or a 422 when more than [`MAX_DOWNLOAD`] match.
pub async fn every_row(state: &AppState, filter: AuditFilter) -> Result<Vec<Entry>, AppError> {
    let (entries, next) = state
        .db
        .run(move |conn| ledger::audit_page(conn, &filter, MAX_DOWNLOAD).map_err(AppError::from))
        .await?;
    match next {
        Some(next) => Err(DomainError::new(
            "audit_download_too_large",
            format!(
                "more than {MAX_DOWNLOAD} entries match; narrow the filter (for example with \
                 `from` and `to`, or `cursor={next}` for the rest)"
            ),
        )
        .into()),
        None => Ok(entries),
    }
}

pub fn attachment(filename: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(filename.to_owned())],
    }
}

/// The matching entries as a CSV download, for whoever the caller has authorized.
pub async fn audit_csv(state: &AppState, filter: AuditFilter) -> Result<HttpResponse, AppError> {
    let entries = every_row(state, filter).await?;
    // Building the CSV is CPU work: off the async threads. Writing into memory cannot fail
    // but for a bug, which is logged and answered as an internal error.
    let body = web::block(move || to_csv(&entries))
        .await
        .map_err(|_| AppError::Db(DbError::TaskFailed))?
        .map_err(|e| {
            tracing::error!(error = %e, "the audit trail CSV could not be written");
            AppError::Db(DbError::TaskFailed)
        })?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, attachment("audit-trail.csv")))
        .body(body))
}

fn to_csv(entries: &[Entry]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for entry in entries {
        let hash = hex::encode(&entry.hash);
        let payload = String::from_utf8_lossy(&entry.payload_bytes);
        writer.write_record([
            entry.seq.to_string().as_str(),
            &hash,
            &entry.recorded_at,
            &entry.actor,
            &entry.stream,
            &entry.kind,
            &payload,
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A signed note, as plain text for the tools that speak the format.
pub fn note(text: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::plaintext())
        .body(text)
}

/// The newest signed checkpoint's note, or 404 before the first.
pub async fn newest_checkpoint(state: &AppState) -> Result<HttpResponse, AppError> {
    let latest = state
        .db
        .run(|conn| checkpoints::latest(conn).map_err(ServiceError::from))
        .await?;
    match latest {
        Some(signed) => Ok(note(signed.note)),
        None => Err(ServiceError::from(DomainError::not_found(
            "no_checkpoint",
            "no checkpoint has been signed yet",
        ))
        .into()),
    }
}

/// The batch's export bundle as a download: the bundle against the signed checkpoint of
/// `size` (the newest when `None`), with its digest as `Repr-Digest` and `ETag`.
pub async fn export_bundle(
    state: web::Data<AppState>,
    batch_number: String,
    size: Option<u64>,
) -> Result<HttpResponse, AppError> {
    let exported = state
        .db
        .run({
            let state = state.clone();
            move |conn| export::build(conn, &state.checkpointing, &batch_number, size)
        })
        .await?;
    let digest = hex::decode(&exported.sha256).unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            "Repr-Digest",
            format!("sha-256=:{}:", BASE64.encode(digest)),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", exported.sha256)))
        .insert_header(attachment(&exported.file_name))
        .body(exported.bytes))
}

/// Inline styles only: the page has no script, no image, nothing fetched.
const RECORD_HTML_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// The footer's evidence: the checkpoint of the batch's export bundle (the newest that covers
/// the batch's latest entry, signed now if none does) and the bundle's SHA-256, which anyone
/// can compare with the bundle fetched again for that checkpoint.
fn footer(state: &AppState, conn: &mut DbConn, batch_number: &str) -> Result<Footer, ServiceError> {
    let exported = export::build(conn, &state.checkpointing, batch_number, None)?;
    Ok(Footer {
        origin: state.checkpointing.origin.clone(),
        checkpoint_size: exported.checkpoint.size,
        checkpoint_root_base64: BASE64.encode(exported.checkpoint.root),
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

/// The printable batch record as one self-contained HTML page with print CSS.
pub async fn record_html(
    state: web::Data<AppState>,
    batch_number: String,
) -> Result<HttpResponse, AppError> {
    let record = record(state, batch_number).await?;
    let page = printable::html(&record)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, RECORD_HTML_POLICY))
        .body(page))
}

/// The printable batch record as a PDF download, `batch-record-<batch number>.pdf`.
pub async fn record_pdf(
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
        .insert_header(attachment(&filename))
        .body(bytes))
}
