use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::accounts::Principal;
use crate::error::AppError;
use crate::ledger::{self, Entry};
use crate::projections;

const MAX_PAGE: i64 = 1_000;
const DEFAULT_PAGE: i64 = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    from: Option<i64>,
    limit: Option<i64>,
}

#[derive(Serialize)]
pub struct EntryView {
    v: i32,
    seq: i64,
    stream: String,
    stream_seq: i64,
    kind: String,
    actor: String,
    recorded_at: String,
    payload: serde_json::Value,
    payload_sha256: String,
    prev_hash: String,
    stream_prev_hash: String,
    hash: String,
    entry_bytes: String,
    payload_bytes: String,
}

impl TryFrom<Entry> for EntryView {
    type Error = AppError;

    fn try_from(entry: Entry) -> Result<Self, AppError> {
        Ok(EntryView {
            payload: entry.payload()?,
            v: entry.v,
            seq: entry.seq,
            prev_hash: hex::encode(&entry.prev_hash),
            stream_prev_hash: hex::encode(&entry.stream_prev_hash),
            hash: hex::encode(&entry.hash),
            entry_bytes: BASE64.encode(&entry.entry_bytes),
            payload_bytes: BASE64.encode(&entry.payload_bytes),
            stream: entry.stream,
            stream_seq: entry.stream_seq,
            kind: entry.kind,
            actor: entry.actor,
            recorded_at: entry.recorded_at,
            payload_sha256: entry.payload_sha256,
        })
    }
}

/// Pages through the ledger in `seq` order. `next` is the `from` of the following page, or
/// null at the end.
pub async fn entries(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    let from = query.from.unwrap_or(0);
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if from < 0 || !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::BadRequest(format!(
            "`from` must be 0 or more and `limit` between 1 and {MAX_PAGE}"
        )));
    }
    let (page, next) = state
        .db
        .run(move |conn| ledger::page(conn, from, limit).map_err(AppError::from))
        .await?;
    let entries = page
        .into_iter()
        .map(EntryView::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": entries, "next": next })))
}

/// The ledger's own verification, then (when it passes) the projections against it.
pub async fn verify(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (report, projections) = state
        .db
        .run(|conn| {
            let report = ledger::verify(conn)?;
            let mismatches = if report.is_ok() {
                projections::check(conn)?
            } else {
                Vec::new()
            };
            Ok::<_, AppError>((report, mismatches))
        })
        .await?;
    let failure = report
        .failure
        .as_ref()
        .map(|f| serde_json::json!({ "seq": f.seq, "reason": f.reason }));
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "ok": report.is_ok() && projections.is_empty(),
        "projection_mismatches": projections,
        "entries": report.entries,
        "head": report.head.map(hex::encode),
        "failure": failure,
        "summary": report.to_string(),
    })))
}
