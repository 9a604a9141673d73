//! The audit trail: every ledger entry, filtered by batch, user, kind and time, in ledger
//! order, with its `seq` and hash; paged as JSON, or whole as a CSV or JSON download.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problems::{BadRequest, Forbidden, Unauthorized, Unprocessable};
use super::AppState;
use crate::edge::downloads::{attachment, audit_csv, audit_filter, every_row};
use crate::error::AppError;
use crate::ledger::{self, AuditFilter, Entry};
use crate::services::accounts::Principal;

const MAX_PAGE: i64 = 1_000;
const DEFAULT_PAGE: i64 = 100;

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

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

impl AuditDownloadQuery {
    fn filter(&self) -> Result<AuditFilter, AppError> {
        audit_filter(
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
    let filter = audit_filter(
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
    audit_csv(&state, query.filter()?).await
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
