//! The audit trail: every ledger entry, filtered by batch, user, kind and time, in ledger
//! order, with its `seq` and hash; paged as JSON, or whole as a CSV or JSON download.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problems::{BadRequest, Forbidden, Unauthorized, Unprocessable};
use super::AppState;
use crate::accounts::Principal;
use crate::db::DbError;
use crate::domain::DomainError;
use crate::error::AppError;
use crate::ledger::{self, AuditFilter, Entry, EventKind, Stream};

const MAX_PAGE: i64 = 1_000;
const DEFAULT_PAGE: i64 = 100;
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only the entries of this batch (stream `batch/<batch number>`).
    batch: Option<String>,
    /// Only the entries this user recorded (the actor's username).
    user: Option<String>,
    /// Only entries of this kind, exactly, e.g. `batch.step_recorded`.
    kind: Option<String>,
    /// RFC 3339 date and time: only entries recorded at or after it.
    from: Option<String>,
    /// RFC 3339 date and time: only entries recorded before it.
    to: Option<String>,
    /// The first `seq` to answer (the `next` of the previous page); 0 when omitted.
    #[param(value_type = Option<i64>, minimum = 0)]
    cursor: Option<String>,
    /// How many rows, 1 to 1000; 100 when omitted.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditDownloadQuery {
    /// Only the entries of this batch (stream `batch/<batch number>`).
    batch: Option<String>,
    /// Only the entries this user recorded (the actor's username).
    user: Option<String>,
    /// Only entries of this kind, exactly, e.g. `batch.step_recorded`.
    kind: Option<String>,
    /// RFC 3339 date and time: only entries recorded at or after it.
    from: Option<String>,
    /// RFC 3339 date and time: only entries recorded before it.
    to: Option<String>,
    /// The first `seq` to include; 0 when omitted.
    #[param(value_type = Option<i64>, minimum = 0)]
    cursor: Option<String>,
}

/// One row of the audit trail.
#[derive(Serialize, ToSchema)]
pub struct AuditRow {
    /// The entry's position in the ledger.
    seq: i64,
    /// Hex SHA-256 hash of the entry.
    hash: String,
    /// When the server recorded it: RFC 3339, UTC, microseconds.
    recorded_at: String,
    /// The username of who recorded it (or `system`).
    actor: String,
    stream: String,
    kind: String,
    /// The event's payload.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    entries: Vec<AuditRow>,
    /// The `cursor` of the following page, or null when no more rows match.
    next: Option<i64>,
}

impl TryFrom<Entry> for AuditRow {
    type Error = AppError;

    fn try_from(entry: Entry) -> Result<Self, AppError> {
        Ok(AuditRow {
            payload: entry.payload()?,
            seq: entry.seq,
            hash: hex::encode(&entry.hash),
            recorded_at: entry.recorded_at,
            actor: entry.actor,
            stream: entry.stream,
            kind: entry.kind,
        })
    }
}

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
pub(crate) fn filter(
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

impl AuditDownloadQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        filter(
            self.batch.as_deref(),
            self.user.as_deref(),
            self.kind.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
            self.cursor.as_deref(),
        )
    }
}

/// The audit trail, one page at a time, in ledger (`seq`) order. `next` is the `cursor` of the
/// following page, or null when no more entries match.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "ledger",
    operation_id = "audit_trail",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of the audit trail", body = AuditPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn trail(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let filter = filter(
        query.batch.as_deref(),
        query.user.as_deref(),
        query.kind.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.cursor.as_deref(),
    )?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_PAGE,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|limit| (1..=MAX_PAGE).contains(limit))
            .ok_or_else(|| {
                bad(format!(
                    "`limit` must be a whole number between 1 and {MAX_PAGE}, not {raw:?}"
                ))
            })?,
    };
    let (page, next) = state
        .db
        .run(move |conn| ledger::audit_page(conn, &filter, limit).map_err(AppError::from))
        .await?;
    let entries = page
        .into_iter()
        .map(AuditRow::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(AuditPage { entries, next }))
}

/// Every matching entry, or a 422 when more than [`MAX_DOWNLOAD`] match.
async fn every_row(state: &AppState, filter: AuditFilter) -> Result<Vec<Entry>, AppError> {
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

fn attachment(filename: &str) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(filename.to_owned())],
    }
}

/// The audit trail as CSV (RFC 4180, with a header row): `seq`, `hash`, `recorded_at`,
/// `actor`, `stream`, `kind` and `payload` (the canonical JSON of the payload, as one field).
/// Every matching row, in ledger order, up to 100,000; more is refused, never cut short.
#[utoipa::path(
    get,
    path = "/api/v1/audit.csv",
    tag = "ledger",
    operation_id = "audit_trail_csv",
    security(("bearer" = [])),
    params(AuditDownloadQuery),
    responses(
        (status = 200, description = "The audit trail as a CSV download", content_type = "text/csv", body = String),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn trail_csv(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<AuditDownloadQuery>,
) -> Result<HttpResponse, AppError> {
    csv_download(&state, query.filter()?).await
}

/// The matching entries as a CSV download, for whoever the caller has authorized.
pub(crate) async fn csv_download(
    state: &AppState,
    filter: AuditFilter,
) -> Result<HttpResponse, AppError> {
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

/// The audit trail as one JSON array of rows, in ledger order, for download. Every matching
/// row, up to 100,000; more is refused, never cut short.
#[utoipa::path(
    get,
    path = "/api/v1/audit.json",
    tag = "ledger",
    operation_id = "audit_trail_json",
    security(("bearer" = [])),
    params(AuditDownloadQuery),
    responses(
        (status = 200, description = "The audit trail as a JSON download", body = Vec<AuditRow>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn trail_json(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<AuditDownloadQuery>,
) -> Result<HttpResponse, AppError> {
    let entries = every_row(&state, query.filter()?).await?;
    let rows = entries
        .into_iter()
        .map(AuditRow::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, attachment("audit-trail.json")))
        .json(rows))
}
