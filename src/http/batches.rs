use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, TooManyAttempts, Unauthorized,
    Unprocessable,
};
use super::{paging, AppState};
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::edge::signed;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::batches::BatchView;
use crate::services::batches::{self, CreateBatch};
use crate::services::paging::{DayRange, PageSpec};
use crate::services::projections::batches::{self as rows, Filter};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBatchBody {
    /// The template code; the batch is pinned to its newest approved version.
    template: String,
    /// The chain of identity identifier from the collection centre, with or without its check
    /// character; omitted, the server assigns the next one of this facility.
    coi: Option<String>,
    patient_code: String,
    date_of_birth: NaiveDate,
    treating_site: String,
    /// Kilograms, as a decimal string.
    #[schema(example = "72.5")]
    patient_weight_kg: String,
}

/// Starts a batch at apheresis receipt, under a new batch number.
#[utoipa::path(
    post,
    path = "/api/v1/batches",
    tag = "batches",
    operation_id = "create_batch",
    security(("bearer" = [])),
    request_body = NewBatchBody,
    responses(
        (status = 201, description = "Created; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn create(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<NewBatchBody>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let command = CreateBatch {
        template: body.template,
        coi: body.coi,
        patient_code: body.patient_code,
        date_of_birth: body.date_of_birth,
        treating_site: body.treating_site,
        patient_weight_kg: body.patient_weight_kg,
    };
    let actor = who.actor();
    let view = state
        .db
        .run({
            let state = state.clone();
            move |conn| BatchView::of(&batches::create(conn, &actor, &state.facility, command)?)
        })
        .await?;
    Ok(with_etag(HttpResponse::Created(), view.position).json(view))
}

pub(super) fn with_etag(
    mut response: actix_web::HttpResponseBuilder,
    position: i64,
) -> actix_web::HttpResponseBuilder {
    response.insert_header((header::ETAG, format!("\"{position}\"")));
    response
}

/// `If-Match: "<position>"`: the write is made only on the batch as the client last read it.
pub(super) fn if_match(req: &HttpRequest) -> Result<Option<i64>, AppError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(
                "If-Match takes the ETag of the batch as last read, e.g. \"12\"".to_owned(),
            )
        })
}

/// One batch record.
#[utoipa::path(
    get,
    path = "/api/v1/batches/{batch_number}",
    tag = "batches",
    operation_id = "get_batch",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number")),
    responses(
        (status = 200, description = "The batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn get(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let view = state
        .db
        .run(move |conn| batches::record_view(conn, &number))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), view.position).json(view))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only batches in this state, e.g. `in_process`.
    state: Option<String>,
    /// Only batches made from this template code.
    template: Option<String>,
    /// Only batches for this treating site, exactly as written at the start.
    site: Option<String>,
    /// Only batches started on or after this day (UTC), `YYYY-MM-DD`.
    #[param(value_type = Option<String>, format = Date)]
    from: Option<String>,
    /// Only batches started on or before this day (UTC), `YYYY-MM-DD`.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<String>,
    /// `me`: only batches with a verification waiting for the caller.
    pending_for: Option<String>,
    /// How many batches, 1 to 500; 50 when omitted.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// The `next` of the previous page; the first page when omitted.
    cursor: Option<String>,
}

/// A batch in a list: the projection's row.
#[derive(Serialize, ToSchema)]
pub struct BatchSummary {
    batch_number: String,
    coi: String,
    template: String,
    template_version: i32,
    patient_code: String,
    treating_site: String,
    state: String,
    /// How many deviations are open.
    deviations: i32,
    position: i64,
    /// When the batch was started, RFC 3339 UTC.
    started_at: String,
}

/// One page of batches, by batch number.
#[derive(Serialize, ToSchema)]
pub struct BatchList {
    batches: Vec<BatchSummary>,
    /// The `cursor` of the next page (also in the `Link` header), or null on the last page.
    next: Option<String>,
    /// How many batches the filter matches, on every page.
    total: i64,
}

/// Batches, one page at a time, optionally filtered; `pending_for=me` for those waiting for
/// the caller to verify.
#[utoipa::path(
    get,
    path = "/api/v1/batches",
    tag = "batches",
    operation_id = "list_batches",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of batches", body = BatchList, headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, when there is one"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn list(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let pending_for = match query.pending_for.as_deref() {
        None => None,
        Some("me") => Some((
            who.username.as_str().to_owned(),
            who.roles.names().iter().map(|r| (*r).to_owned()).collect(),
        )),
        Some(_) => {
            return Err(AppError::BadRequest(
                "pending_for takes the value `me`".to_owned(),
            ))
        }
    };
    let filter = Filter {
        states: query.state.into_iter().collect(),
        template: query.template,
        site: query.site,
        started: DayRange::parse(query.from.as_deref(), query.to.as_deref())?,
        pending_for,
    };
    let page = PageSpec::parse(query.limit.as_deref(), query.cursor.as_deref())?;
    let found = state
        .db
        .run(move |conn| rows::list(conn, &filter, &page).map_err(AppError::from))
        .await?;
    let batches = found
        .rows
        .into_iter()
        .map(|r| BatchSummary {
            batch_number: r.batch_number,
            coi: r.coi,
            template: r.template_code,
            template_version: r.template_version,
            patient_code: r.patient_code,
            treating_site: r.treating_site,
            state: r.state,
            deviations: r.open_deviations,
            position: r.position,
            started_at: r.created_at,
        })
        .collect();
    Ok(paging::ok(&req, found.next.as_deref()).json(BatchList {
        batches,
        next: found.next,
        total: found.total,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// By field id, as the template's step defines them.
    #[schema(value_type = Object)]
    values: Map<String, Value>,
    /// The chain of identity read from the material, on steps that re-confirm it.
    coi: Option<String>,
    signature: SignatureInput,
}

/// Records a step, signed by its performer (meaning `performed`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/steps/{step_id}",
    tag = "batches",
    operation_id = "record_step",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("step_id" = String, Path, description = "The step's id in the template"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = RecordBody,
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
pub async fn record_step(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<RecordBody>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&req)?;
    let (number, step_id) = path.into_inner();
    let body = body.into_inner();
    let step = batches::StepInput {
        step_id,
        values: body.values,
        coi: body.coi,
    };
    let meaning = SignatureMeaning::Performed;
    let view = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            BatchView::of(&batches::record_step(
                conn, who, &number, step, expected, signer,
            )?)
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Created(), view.position).json(view))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// Which record of a repeatable step; the latest when omitted.
    record: Option<u32>,
    signature: SignatureInput,
}

/// A second person verifies a step record (meaning `verified`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/steps/{step_id}/verify",
    tag = "batches",
    operation_id = "verify_step",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("step_id" = String, Path, description = "The step's id in the template"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read, e.g. `\"12\"`: the write is made only if nobody has written since")),
    request_body = VerifyBody,
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
pub async fn verify_step(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<VerifyBody>,
) -> Result<HttpResponse, AppError> {
    let expected = if_match(&req)?;
    let (number, step_id) = path.into_inner();
    let body = body.into_inner();
    let meaning = SignatureMeaning::Verified;
    let view = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            let target = (step_id.as_str(), body.record);
            BatchView::of(&batches::verify_step(
                conn, who, &number, target, expected, signer,
            )?)
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), view.position).json(view))
}
