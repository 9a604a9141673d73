//! The `Idempotency-Key` header on POSTs: a retry with the same key and the same request gets
//! the first answer (with `Idempotent-Replayed: true`) and appends nothing; the same key with
//! another request is refused (422). Runs after authorization, so keys are per user.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::error::AppError;
use crate::retries::{self, Answer, Claim};
use crate::runner::Pinned;
use crate::services::accounts::Principal;

const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";

/// Answers carrying a secret (a token, a temporary password) are never kept: a retry of
/// those runs again (and is refused or harmless) instead of handing the secret out twice.
/// Uploads are idempotent by nature (stored by their hash) and may be larger than a body
/// this check reads.
const NEVER_KEPT: [&str; 3] = ["/api/v1/auth/", "/api/v1/users", "/api/v1/attachments"];

/// Whether a POST to this path honours `Idempotency-Key` (also what the OpenAPI document says).
pub(super) fn kept_for(path: &str) -> bool {
    !NEVER_KEPT.iter().any(|prefix| path.starts_with(prefix))
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(HEADER)
        .map(|v| v.to_str().map(str::to_owned));
    let principal = req.extensions().get::<Principal>().cloned();
    // The route's pattern, not the raw path: `/api/v1/%75sers/...` is routed like `users`.
    let applies = req.method() == Method::POST
        && req
            .match_pattern()
            .is_some_and(|pattern| kept_for(&pattern));
    let (Some(key), Some(principal), true) = (key, principal, applies) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.ok().filter(|k| valid_key(k)) {
        Some(key) => key,
        None => {
            let error = AppError::BadRequest(
                "the Idempotency-Key header holds 1 to 255 visible ASCII characters".to_owned(),
            );
            return Ok(req.into_response(error.error_response()));
        }
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let body = req.extract::<web::Bytes>().await?;
    let fingerprint = fingerprint(req.path(), req.query_string(), &body);
    req.set_payload(bytes_payload(body));
    let username = principal.username.as_str().to_owned();
    let claim = ClaimOf {
        username,
        key,
        fingerprint,
    };
    match open(&state, &claim).await {
        Err(error) => Ok(req.into_response(error.error_response())),
        Ok((_, Claim::Seen(kept))) => Ok(req.into_response(replay(kept, &claim.fingerprint))),
        Ok((pinned, Claim::New)) => match pinned.clone().scope(next.call(req)).await {
            Ok(response) => keep(&pinned, claim, response).await,
            Err(error) => {
                // No answer to keep: nothing of the request is committed.
                let _ = pinned
                    .run(|conn| {
                        retries::abandon(conn);
                        Ok::<_, AppError>(())
                    })
                    .await;
                Err(error)
            }
        },
    }
}

/// Who claims which key for which request.
struct ClaimOf {
    username: String,
    key: String,
    fingerprint: String,
}

/// Pins a connection for the request and claims the key in a transaction opened on it.
async fn open(state: &web::Data<AppState>, claim: &ClaimOf) -> Result<(Pinned, Claim), AppError> {
    let now = crate::services::accounts::now().naive_utc();
    state
        .db
        .run(move |conn| retries::forget_expired(conn, now).map_err(AppError::from))
        .await?;
    let pinned = state.db.pin().await?;
    let (username, key, fingerprint) = (
        claim.username.clone(),
        claim.key.clone(),
        claim.fingerprint.clone(),
    );
    let claimed = pinned
        .run(move |conn| {
            retries::begin(conn, &username, &key, &fingerprint, now).map_err(AppError::from)
        })
        .await?;
    Ok((pinned, claimed))
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

fn fingerprint(path: &str, query: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    for part in [path.as_bytes(), b"?", query.as_bytes(), b"\n", body] {
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// The body, read once to fingerprint it, handed on to the handler.
fn bytes_payload(body: web::Bytes) -> actix_web::dev::Payload {
    actix_web::dev::Payload::from(body)
}

fn replay(kept: retries::Kept, fingerprint: &str) -> HttpResponse {
    if kept.fingerprint != fingerprint {
        return AppError::IdempotencyKeyReused.error_response();
    }
    let Some(status) = kept.status.and_then(|s| u16::try_from(s).ok()) else {
        return AppError::RequestInProgress.error_response();
    };
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    response.insert_header((HeaderName::from_static(REPLAYED), "true"));
    if let Some(content_type) = kept.content_type {
        response.insert_header((header::CONTENT_TYPE, content_type));
    }
    if let Some(etag) = kept.etag {
        response.insert_header((header::ETAG, etag));
    }
    response.body(kept.body.unwrap_or_default())
}

/// Commits the request's transaction, keeping a successful answer with the key. Any other
/// answer releases the key: a refusal is decided again on a retry (it may have been
/// transient: a lost race, a rate limit). If the commit fails, nothing of the request is
/// recorded, and the client is told so instead of the answer.
async fn keep(
    pinned: &Pinned,
    claim: ClaimOf,
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (request, response) = response.into_parts();
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, etag) = (header(header::CONTENT_TYPE), header(header::ETAG));
    let headers = response.headers().clone();
    let bytes = body::to_bytes(response.into_body()).await;
    let kept = bytes.as_ref().ok().cloned();
    let committed = pinned
        .run(move |conn| {
            let Some(kept) = kept else {
                retries::abandon(conn);
                return Ok(false);
            };
            let answer = status.is_success().then(|| Answer {
                status: status.as_u16(),
                content_type: content_type.as_deref(),
                etag: etag.as_deref(),
                body: &kept,
            });
            retries::commit(conn, &claim.username, &claim.key, answer)
                .map(|()| true)
                .map_err(AppError::from)
        })
        .await;
    let rebuilt = match (committed, bytes) {
        (Ok(true), Ok(bytes)) => {
            let mut rebuilt = HttpResponse::with_body(status, BoxBody::new(bytes));
            *rebuilt.headers_mut() = headers;
            rebuilt
        }
        (Err(error), _) => {
            tracing::error!(%error, "could not commit a request with an Idempotency-Key");
            error.error_response()
        }
        _ => AppError::BadRequest("the answer could not be read".to_owned()).error_response(),
    };
    Ok(ServiceResponse::new(request, rebuilt))
}
