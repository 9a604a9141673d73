use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, TooManyAttempts, Unauthorized, Unprocessable,
};
use super::AppState;
use crate::auth::SignatureInput;
use crate::domain::DomainError;
use crate::edge::client_address;
use crate::error::AppError;
use crate::ledger;
use crate::services::accounts::Principal;
use crate::services::signatures::{self, SignaturesOfEntry};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    signature: SignatureInput,
}

/// Signs one existing record (for example QA reviewing an account change). Actions that create
/// a record and sign it carry the same `signature` object next to their own fields. The meaning
/// needs its own action too (e.g. `sign_reviewed`); release meanings are refused here.
#[utoipa::path(
    post,
    path = "/api/v1/ledger/entries/{seq}/signatures",
    tag = "signatures",
    operation_id = "sign_entry",
    security(("bearer" = [])),
    params(("seq" = i64, Path, description = "The ledger entry's sequence number")),
    request_body = SignRequest,
    responses(
        (status = 201, description = "Signed; every signature of the entry", body = SignaturesOfEntry),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %who.username, seq = *seq))]
pub async fn sign(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    seq: web::Path<i64>,
    body: web::Json<SignRequest>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let seq = seq.into_inner();
    let signature = body.into_inner().signature;
    who.authorize(crate::auth::required_action(signature.meaning))?;
    if !signature.meaning.stands_alone() {
        return Err(DomainError::new(
            "meaning_needs_its_action",
            format!(
                "a '{}' signature is applied with the batch's release action, not to a single record",
                signature.meaning.as_str()
            ),
        )
        .into());
    }
    let view = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer =
                    signatures::verify_signer(conn, &state.policy, &who, signature, &client)?;
                ledger::write(conn, |tx| {
                    let entry = ledger::entry_at(tx.conn(), seq)?.ok_or_else(|| {
                        AppError::NotFound(format!("there is no ledger entry {seq}"))
                    })?;
                    if !crate::domain::signature::signable_on_its_own(&entry.stream) {
                        return Err(DomainError::conflict(
                            "sign_through_its_action",
                            format!(
                                "entries of {} are signed through their own actions (record, \
                                 verify, approve, release), where their rules are checked",
                                entry.stream
                            ),
                        )
                        .into());
                    }
                    signatures::apply(tx, signer, &[entry]).map(drop)?;
                    Ok::<_, AppError>(())
                })?;
                Ok::<_, AppError>(signatures::signatures_of(conn, seq)?)
            }
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Every signature of one ledger entry, and whether the signed content is still current.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/entries/{seq}/signatures",
    tag = "signatures",
    operation_id = "list_signatures",
    security(("bearer" = [])),
    params(("seq" = i64, Path, description = "The ledger entry's sequence number")),
    responses(
        (status = 200, description = "The entry's signatures", body = SignaturesOfEntry),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn list(
    _who: Principal,
    state: web::Data<AppState>,
    seq: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let seq = seq.into_inner();
    let view = state
        .db
        .run(move |conn| signatures::signatures_of(conn, seq))
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no ledger entry {seq}")))?;
    Ok(HttpResponse::Ok().json(view))
}
