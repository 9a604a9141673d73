use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::extract::client_address;
use super::AppState;
use crate::accounts::Principal;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::batches::{self, CreateBatch};
use crate::error::AppError;
use crate::projections::batches::{self as rows, Filter};
use crate::signatures;

#[derive(Deserialize)]
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
    patient_weight_kg: String,
}

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
            move |conn| {
                let number = batches::create(conn, &actor, &state.facility, command)?;
                batches::record_view(conn, &number)
            }
        })
        .await?;
    Ok(with_etag(HttpResponse::Created(), view.position).json(view))
}

fn with_etag(
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
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(
                "If-Match takes the ETag of the batch as last read, e.g. \"12\"".to_owned(),
            )
        })
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    state: Option<String>,
    template: Option<String>,
    /// `me`: only batches with a verification waiting for the caller.
    pending_for: Option<String>,
}

pub async fn list(
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
        state: query.state,
        template: query.template,
        pending_for,
    };
    let rows = state
        .db
        .run(move |conn| rows::list(conn, &filter).map_err(AppError::from))
        .await?;
    let batches: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "batch_number": r.batch_number, "coi": r.coi, "template": r.template_code,
                "template_version": r.template_version, "patient_code": r.patient_code,
                "treating_site": r.treating_site, "state": r.state,
                "deviations": r.open_deviations, "position": r.position,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "batches": batches })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    values: Map<String, Value>,
    coi: Option<String>,
    signature: SignatureInput,
}

/// Records a step, signed by its performer (meaning `performed`).
pub async fn record_step(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<RecordBody>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let expected = if_match(&req)?;
    let (number, step_id) = path.into_inner();
    let body = body.into_inner();
    let view = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    body.signature,
                    SignatureMeaning::Performed,
                    &client,
                )?;
                let step = batches::StepInput {
                    step_id,
                    values: body.values,
                    coi: body.coi,
                };
                batches::record_step(conn, &who, &number, step, expected, signer)?;
                batches::record_view(conn, &number)
            }
        })
        .await?;
    Ok(with_etag(HttpResponse::Created(), view.position).json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// Which record of a repeatable step; the latest when omitted.
    record: Option<u32>,
    signature: SignatureInput,
}

/// A second person verifies a step record (meaning `verified`).
pub async fn verify_step(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<VerifyBody>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let expected = if_match(&req)?;
    let (number, step_id) = path.into_inner();
    let body = body.into_inner();
    let view = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    body.signature,
                    SignatureMeaning::Verified,
                    &client,
                )?;
                let target = (step_id.as_str(), body.record);
                batches::verify_step(conn, &who, &number, target, expected, signer)?;
                batches::record_view(conn, &number)
            }
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), view.position).json(view))
}
