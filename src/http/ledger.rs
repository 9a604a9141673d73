use actix_web::{web, HttpResponse};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problems::{BadRequest, Forbidden, Unauthorized};
use super::AppState;
use crate::error::AppError;
use crate::ledger::{self, Entry};
use crate::services::accounts::Principal;

const MAX_PAGE: i64 = 1_000;
const DEFAULT_PAGE: i64 = 100;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The first `seq` to answer; 0 when omitted.
    #[param(minimum = 0)]
    from: Option<i64>,
    /// How many entries, 1 to 1000; 100 when omitted.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// One ledger entry, with the bytes its hash covers so that anyone can re-check the chain.
#[derive(Serialize, ToSchema)]
pub struct EntryView {
    v: i32,
    seq: i64,
    stream: String,
    stream_seq: i64,
    kind: String,
    actor: String,
    recorded_at: String,
    /// The event's payload, decoded from `payload_bytes`.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
    payload_sha256: String,
    prev_hash: String,
    stream_prev_hash: String,
    /// Hex SHA-256 hashes.
    hash: String,
    /// Base64 of the exact bytes hashed.
    entry_bytes: String,
    payload_bytes: String,
}

#[derive(Serialize, ToSchema)]
pub struct EntryPage {
    entries: Vec<EntryView>,
    /// The `from` of the following page, or null at the end.
    next: Option<i64>,
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
#[utoipa::path(
    get,
    path = "/api/v1/ledger/entries",
    tag = "ledger",
    operation_id = "ledger_page",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page of entries", body = EntryPage),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
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
    Ok(HttpResponse::Ok().json(EntryPage { entries, next }))
}

#[derive(Serialize, ToSchema)]
pub struct VerifyFailureView {
    /// The first entry that fails; null when what fails is a checkpoint or a tree head kept
    /// outside the database rather than an entry.
    seq: Option<i64>,
    reason: String,
}

/// Why this instance refuses writes: its ledger did not verify.
#[derive(Serialize, ToSchema)]
pub struct ReadOnlyView {
    /// The first bad entry (or where the missing ones begin).
    seq: i64,
    reason: String,
    /// Since when (server clock, RFC 3339).
    since: String,
    /// When the ledger verified in full again since: QA and an administrator may now record
    /// the incident (`/api/v1/ledger/incidents`), after which the instance writes again.
    verified_at: Option<String>,
}

/// What `GET /api/v1/ledger/verify` found.
#[derive(Serialize, ToSchema)]
pub struct VerifyAnswer {
    /// The chain holds, every signed tree head and checkpoint (in the database and outside it)
    /// agrees with it, and every projection agrees with it.
    ok: bool,
    /// Projections that disagree with the ledger (checked only when the ledger holds).
    projection_mismatches: Vec<String>,
    /// How many entries were checked.
    entries: u64,
    /// Hex hash of the last entry; null on an empty ledger.
    head: Option<String>,
    /// Base64 Merkle root (RFC 6962) of the tree of every entry checked, recomputed from them;
    /// null on an empty ledger.
    root: Option<String>,
    failure: Option<VerifyFailureView>,
    /// The evidence the verdict rests on, one sentence each (signed tree heads, checkpoints in
    /// the database, the checkpoint and tree head kept outside it).
    evidence: Vec<String>,
    /// Set while this instance refuses every write because its ledger did not verify.
    read_only: Option<ReadOnlyView>,
    /// The result in one sentence.
    summary: String,
}

/// The whole verification (the chain, the Merkle tree, every signed tree head and checkpoint,
/// and the newest checkpoint and tree head kept outside the database), then, when it passes,
/// the projections against the ledger. A failure makes this instance read-only.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/verify",
    tag = "ledger",
    operation_id = "verify_ledger",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The verification's result, whether it passed or not", body = VerifyAnswer),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn verify(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let evidence = state.checkpointing.evidence();
    let sealer = state.db.sealer().cloned();
    let (verdict, projections) = state
        .db
        .run(move |conn| {
            crate::services::incidents::verify_on_request(conn, sealer.as_deref(), &evidence)
                .map_err(AppError::from)
        })
        .await?;
    let ok = verdict.is_ok() && projections.is_empty();
    crate::metrics::verification(ok);
    let report = &verdict.report;
    let failure = match (&report.failure, &verdict.failure) {
        (Some(f), _) => Some(VerifyFailureView {
            seq: Some(f.seq),
            reason: f.reason.clone(),
        }),
        (None, Some(reason)) => Some(VerifyFailureView {
            seq: None,
            reason: reason.clone(),
        }),
        (None, None) => None,
    };
    Ok(HttpResponse::Ok().json(VerifyAnswer {
        ok,
        projection_mismatches: projections,
        entries: report.entries,
        head: report.head.map(hex::encode),
        root: report.root.map(|root| BASE64.encode(root)),
        failure,
        evidence: verdict.evidence(),
        read_only: read_only(&state),
        summary: verdict.summary(),
    }))
}

fn read_only(state: &AppState) -> Option<ReadOnlyView> {
    let distrust = state.db.sealer()?.trust().current()?;
    Some(ReadOnlyView {
        seq: distrust.seq,
        reason: distrust.reason,
        since: distrust.since,
        verified_at: distrust.verified_at,
    })
}
