//! Corrections of recorded values, their verification and QA's approval.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, TooManyAttempts, Unauthorized,
    Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::batch::corrections::Correct;
use crate::edge::signed;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::batches::{self, BatchView};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectBody {
    step_id: String,
    record: u32,
    field_id: String,
    value: Value,
    reason: String,
    signature: SignatureInput,
}

/// A new value for one field of one step record, signed `performed` by its author (the
/// record's performer or QA).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/corrections",
    tag = "batches",
    operation_id = "correct_value",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = CorrectBody,
    responses(
        (status = 201, description = "Corrected; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn correct(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CorrectBody>,
) -> Result<HttpResponse, AppError> {
    let expected = super::batches::if_match(&req)?;
    let number = path.into_inner();
    let body = body.into_inner();
    let command = Correct {
        step_id: body.step_id,
        record: body.record,
        field_id: body.field_id,
        value: body.value,
        reason: body.reason,
    };
    let meaning = SignatureMeaning::Performed;
    let view = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            BatchView::of(&batches::correct(
                conn, who, &number, command, expected, signer,
            )?)
        },
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, format!("\"{}\"", view.position)))
        .json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedBody {
    signature: SignatureInput,
}

#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/corrections/{correction_id}/verify",
    tag = "batches",
    operation_id = "verify_correction",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("correction_id" = u32, Path, description = "The correction's number within the batch"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = SignedBody,
    responses(
        (status = 200, description = "Verified; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn verify(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<SignedBody>,
) -> Result<HttpResponse, AppError> {
    confirm(req, who, state, path.into_inner(), body.into_inner(), false).await
}

/// QA approves a correction made after manufacturing was complete (`approved`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/corrections/{correction_id}/approve",
    tag = "batches",
    operation_id = "approve_correction",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("correction_id" = u32, Path, description = "The correction's number within the batch"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = SignedBody,
    responses(
        (status = 200, description = "Approved; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn approve(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<SignedBody>,
) -> Result<HttpResponse, AppError> {
    confirm(req, who, state, path.into_inner(), body.into_inner(), true).await
}

async fn confirm(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    (number, correction_id): (String, u32),
    body: SignedBody,
    approve: bool,
) -> Result<HttpResponse, AppError> {
    let expected = super::batches::if_match(&req)?;
    let meaning = if approve {
        SignatureMeaning::Approved
    } else {
        SignatureMeaning::Verified
    };
    let view = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            let target = (correction_id, approve);
            let confirmed =
                batches::confirm_correction(conn, who, &number, target, expected, signer)?;
            BatchView::of(&confirmed)
        },
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", view.position)))
        .json(view))
}
