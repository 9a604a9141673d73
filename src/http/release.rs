//! QC results, the QP's review by exception and decision, and the treating physician's request
//! for an out-of-specification product.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::batches::{if_match, with_etag};
use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, TooManyAttempts, Unauthorized,
    Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::db::DbConn;
use crate::domain::batch::release::ExceptionKind;
use crate::domain::batch::ReleaseDecision;
use crate::edge::signed;
use crate::error::{AppError, ServiceError};
use crate::services::accounts::Principal;
use crate::services::batches::{self, BatchView, Folded};
use crate::services::signatures::VerifiedSigner;

/// A signed write on one batch: checks the password for `meaning`, runs `work` with the
/// verified signer and the `If-Match` position, and answers the batch record with its `ETag`.
pub(super) async fn signed_write<F>(
    req: &HttpRequest,
    who: Principal,
    state: &web::Data<AppState>,
    (signature, meaning): (SignatureInput, SignatureMeaning),
    status: StatusCode,
    work: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn, &Principal, VerifiedSigner, Option<i64>) -> Result<Folded, ServiceError>
        + Send
        + 'static,
{
    let expected = if_match(req)?;
    let view = signed(
        req,
        state,
        who,
        signature,
        meaning,
        move |conn, who, signer| BatchView::of(&work(conn, who, signer, expected)?),
    )
    .await?;
    Ok(with_etag(HttpResponseBuilder::new(status), view.position).json(view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QcResultBody {
    /// As observed: a decimal string for `range` and `report` tests (the unit is the
    /// template's), `pass`/`fail`, or the text read (e.g. "no growth").
    #[schema(example = "92.5")]
    result: String,
    /// Required for a re-test after an out-of-specification result: why.
    comment: Option<String>,
    signature: SignatureInput,
}

/// Records a QC release test result, judged against the template's specification and signed
/// by the analyst (`performed`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/qc/{test_id}",
    tag = "release",
    operation_id = "record_qc_result",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("test_id" = String, Path, description = "The QC test's id in the template"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = QcResultBody,
    responses(
        (status = 201, description = "Recorded with its verdict; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn record_qc_result(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<QcResultBody>,
) -> Result<HttpResponse, AppError> {
    let (number, test_id) = path.into_inner();
    let body = body.into_inner();
    let signature = (body.signature, SignatureMeaning::Performed);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, expected| {
            let result = (
                test_id.as_str(),
                body.result.as_str(),
                body.comment.as_deref(),
            );
            batches::record_qc_result(conn, who, &batch, result, expected, signer)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureOnlyBody {
    signature: SignatureInput,
}

/// A second analyst verifies the latest result of a QC test (`verified`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/qc/{test_id}/verify",
    tag = "release",
    operation_id = "verify_qc_result",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("test_id" = String, Path, description = "The QC test's id in the template"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = SignatureOnlyBody,
    responses(
        (status = 200, description = "Verified; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn verify_qc_result(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<SignatureOnlyBody>,
) -> Result<HttpResponse, AppError> {
    let (number, test_id) = path.into_inner();
    let signature = (body.into_inner().signature, SignatureMeaning::Verified);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::OK,
        move |conn, who, signer, expected| {
            batches::verify_qc_result(conn, who, &batch, &test_id, expected, signer)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhysicianRequestBody {
    /// Why this patient should have this product all the same.
    reason: String,
    /// The physician was told of the out-of-specification results and accepts the risk: `true`.
    risk_acknowledged: bool,
    signature: SignatureInput,
}

/// The treating physician's request for an out-of-specification product (`requested`),
/// naming the OOS results they were told of.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/physician-request",
    tag = "release",
    operation_id = "request_exceptional_release",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = PhysicianRequestBody,
    responses(
        (status = 201, description = "Recorded; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn physician_request(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<PhysicianRequestBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let signature = (body.signature, SignatureMeaning::Requested);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, expected| {
            let request = (body.reason.as_str(), body.risk_acknowledged);
            batches::request_exceptional_release(conn, who, &batch, request, expected, signer)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseBody {
    decision: ReleaseDecision,
    /// Required to reject or to release exceptionally.
    justification: Option<String>,
    /// Its meaning is the decision.
    signature: SignatureInput,
}

/// The QP certifies (`released`), rejects (`rejected`) or releases exceptionally
/// (`released_exceptionally`) a batch; the signature's meaning is the decision.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/release",
    tag = "release",
    operation_id = "decide_release",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = ReleaseBody,
    responses(
        (status = 200, description = "Decided; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn release(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ReleaseBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let meaning = match body.decision {
        ReleaseDecision::Released => SignatureMeaning::Released,
        ReleaseDecision::Rejected => SignatureMeaning::Rejected,
        ReleaseDecision::ReleasedExceptionally => SignatureMeaning::ReleasedExceptionally,
    };
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        (body.signature, meaning),
        StatusCode::OK,
        move |conn, who, signer, expected| {
            let decision = (body.decision, body.justification.as_deref());
            batches::decide_release(conn, who, &batch, decision, expected, signer)
        },
    )
    .await
}

#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    /// The batch's position this review was made at (also its `ETag`): send it as `If-Match`
    /// with the decision to certify exactly what was reviewed.
    position: i64,
    batch_number: String,
    state: String,
    /// The QP may certify (`released`) now.
    ready: bool,
    /// What stops certification, when anything does.
    reasons: Vec<String>,
    /// The decisions the QP may sign now.
    decisions: Vec<ReleaseDecision>,
    /// Everything unusual in the record, each with the entry it comes from.
    exceptions: Vec<ExceptionView>,
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionView {
    kind: ExceptionKind,
    description: String,
    seq: Option<i64>,
    /// The entry with its signatures (readable by QA, QPs and auditors).
    link: Option<String>,
}

/// The review by exception a QP reads before signing: deviations, out-of-range values, OOS
/// results, corrections, late entries, holds, identity mismatches, rejected lots, missing
/// records and verifications; and whether the batch can be certified now.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{batch_number}/review",
    tag = "release",
    operation_id = "review_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number")),
    responses(
        (status = 200, description = "The review", body = ReviewView, headers(("ETag" = String, description = "The batch's position, for `If-Match` on the decision"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn review(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let late = state.late_entry_minutes;
    let batches::Reviewed {
        batch,
        template,
        review,
        position,
    } = state
        .db
        .run(move |conn| batches::review(conn, &number, late))
        .await?;
    let view = ReviewView {
        position,
        batch_number: batch.created.batch_number.clone(),
        state: batch.state(&template).as_str().to_owned(),
        ready: review.ready(),
        reasons: review.reasons.clone(),
        decisions: review.decisions.clone(),
        exceptions: review
            .exceptions
            .into_iter()
            .map(|e| ExceptionView {
                kind: e.kind,
                description: e.description,
                seq: e.seq,
                link: e
                    .seq
                    .map(|seq| format!("/api/v1/ledger/entries/{seq}/signatures")),
            })
            .collect(),
    };
    Ok(with_etag(HttpResponse::Ok(), position).json(view))
}
