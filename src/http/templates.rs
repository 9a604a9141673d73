use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::extract::client_address;
use super::AppState;
use crate::accounts::Principal;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::error::AppError;
use crate::projections::templates::TemplateRow;
use crate::{signatures, templates};

#[derive(Serialize)]
pub struct TemplateView {
    code: String,
    version: i32,
    title: String,
    status: String,
    source_sha256: String,
    imported_by: String,
    approved_by: Option<String>,
}

impl From<TemplateRow> for TemplateView {
    fn from(row: TemplateRow) -> Self {
        TemplateView {
            code: row.code,
            version: row.version,
            title: row.title,
            status: row.status,
            source_sha256: row.source_sha256,
            imported_by: row.imported_by,
            approved_by: row.approved_by,
        }
    }
}

/// The body is the template's JSON itself; it is kept exactly as sent.
pub async fn import(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let actor = who.actor();
    let row = state
        .db
        .run(move |conn| templates::import(conn, &actor, &body))
        .await?;
    Ok(HttpResponse::Created().json(TemplateView::from(row)))
}

pub async fn list(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .run(|conn| crate::projections::templates::list(conn).map_err(AppError::from))
        .await?;
    let templates: Vec<TemplateView> = rows.into_iter().map(TemplateView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "templates": templates })))
}

/// The version's JSON, byte for byte as imported.
pub async fn source(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, AppError> {
    let (code, version) = path.into_inner();
    let text = state
        .db
        .run(move |conn| templates::source(conn, &code, version))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(text))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    signature: SignatureInput,
}

/// QA approves a draft version, signed with meaning `approved`.
pub async fn approve(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<Approve>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let (code, version) = path.into_inner();
    let input = body.into_inner().signature;
    let row = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    input,
                    SignatureMeaning::Approved,
                    &client,
                )?;
                templates::approve(conn, &who.actor(), &code, version, signer)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(TemplateView::from(row)))
}
