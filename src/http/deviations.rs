//! Deviations, holds and termination of a batch: QA's oversight (raising a deviation by hand
//! is also open to operators).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, TooManyAttempts, Unauthorized,
    Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::batch::supervision::Course;
use crate::domain::batch::Classification;
use crate::edge::client_address;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::batches::{self, BatchView, Supervision};
use crate::services::signatures;

/// Runs the command (with QA's signature when one is given) and answers the batch record.
async fn run(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    batch_number: String,
    command: Supervision,
    signature: Option<SignatureInput>,
    created: bool,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    if signature.is_some() {
        state.throttle.check(&client, who.username.as_str())?;
    }
    let expected = super::batches::if_match(&req)?;
    let view = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer = signature
                    .map(|input| {
                        signatures::verify_signer_for(
                            conn,
                            &state.policy,
                            &who,
                            input,
                            SignatureMeaning::Approved,
                            &client,
                        )
                    })
                    .transpose()?;
                let supervised =
                    batches::supervise(conn, &who, &batch_number, command, expected, signer)?;
                BatchView::of(&supervised)
            }
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::ETAG, format!("\"{}\"", view.position)));
    Ok(response.json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseBody {
    description: String,
    step_id: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/deviations",
    tag = "batches",
    operation_id = "raise_deviation",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = RaiseBody,
    responses(
        (status = 201, description = "Raised; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn raise(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<RaiseBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let command = Supervision::Raise {
        description: body.description,
        step_id: body.step_id,
    };
    run(req, who, state, path.into_inner(), command, None, true).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyBody {
    classification: Classification,
}

#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/deviations/{deviation_id}/classify",
    tag = "batches",
    operation_id = "classify_deviation",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("deviation_id" = u32, Path, description = "The deviation's number within the batch"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = ClassifyBody,
    responses(
        (status = 200, description = "Classified; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn classify(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<ClassifyBody>,
) -> Result<HttpResponse, AppError> {
    let (batch_number, deviation_id) = path.into_inner();
    let command = Supervision::Classify {
        deviation_id,
        classification: body.into_inner().classification,
    };
    run(req, who, state, batch_number, command, None, false).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseBody {
    investigation: String,
    root_cause: String,
    capa_ref: String,
    signature: SignatureInput,
}

/// QA closes a deviation, signed `approved`.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/deviations/{deviation_id}/close",
    tag = "batches",
    operation_id = "close_deviation",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("deviation_id" = u32, Path, description = "The deviation's number within the batch"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = CloseBody,
    responses(
        (status = 200, description = "Closed; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn close(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<CloseBody>,
) -> Result<HttpResponse, AppError> {
    let (batch_number, deviation_id) = path.into_inner();
    let body = body.into_inner();
    let command = Supervision::Close {
        deviation_id,
        investigation: body.investigation,
        root_cause: body.root_cause,
        capa_ref: body.capa_ref,
    };
    run(
        req,
        who,
        state,
        batch_number,
        command,
        Some(body.signature),
        false,
    )
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseBody {
    reason: String,
    signature: SignatureInput,
}

async fn course(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    batch_number: String,
    body: CourseBody,
    course: Course,
) -> Result<HttpResponse, AppError> {
    let command = Supervision::Course {
        course,
        reason: body.reason,
    };
    run(
        req,
        who,
        state,
        batch_number,
        command,
        Some(body.signature),
        false,
    )
    .await
}

/// QA puts the batch on hold, signed `approved`, with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/hold",
    tag = "batches",
    operation_id = "hold_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = CourseBody,
    responses(
        (status = 200, description = "On hold; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn hold(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CourseBody>,
) -> Result<HttpResponse, AppError> {
    course(
        req,
        who,
        state,
        path.into_inner(),
        body.into_inner(),
        Course::Hold,
    )
    .await
}

#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/resume",
    tag = "batches",
    operation_id = "resume_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = CourseBody,
    responses(
        (status = 200, description = "Resumed; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn resume(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CourseBody>,
) -> Result<HttpResponse, AppError> {
    course(
        req,
        who,
        state,
        path.into_inner(),
        body.into_inner(),
        Course::Resume,
    )
    .await
}

/// QA ends the batch for good, signed `approved`, with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/terminate",
    tag = "batches",
    operation_id = "terminate_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = CourseBody,
    responses(
        (status = 200, description = "Terminated; the batch record", body = crate::services::batches::BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
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
pub async fn terminate(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CourseBody>,
) -> Result<HttpResponse, AppError> {
    course(
        req,
        who,
        state,
        path.into_inner(),
        body.into_inner(),
        Course::Terminate,
    )
    .await
}
