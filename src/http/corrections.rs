//! Corrections of recorded values, their verification and QA's approval.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::extract::client_address;
use super::AppState;
use crate::accounts::Principal;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::batches;
use crate::domain::batch::corrections::Correct;
use crate::error::AppError;
use crate::signatures;

#[derive(Deserialize)]
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
pub async fn correct(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<CorrectBody>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let expected = super::batches::if_match(&req)?;
    let number = path.into_inner();
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
                let command = Correct {
                    step_id: body.step_id,
                    record: body.record,
                    field_id: body.field_id,
                    value: body.value,
                    reason: body.reason,
                };
                batches::correct(conn, &who, &number, command, expected, signer)?;
                batches::record_view(conn, &number)
            }
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::ETAG, format!("\"{}\"", view.position)))
        .json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedBody {
    signature: SignatureInput,
}

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
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let expected = super::batches::if_match(&req)?;
    let meaning = if approve {
        SignatureMeaning::Approved
    } else {
        SignatureMeaning::Verified
    };
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
                    meaning,
                    &client,
                )?;
                let target = (correction_id, approve);
                batches::confirm_correction(conn, &who, &number, target, expected, signer)?;
                batches::record_view(conn, &number)
            }
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", view.position)))
        .json(view))
}
