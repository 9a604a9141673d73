use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, TooManyAttempts, Unauthorized, Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::edge::signed;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::projections::templates::TemplateRow;
use crate::services::templates;

#[derive(Serialize, ToSchema)]
pub struct TemplateView {
    code: String,
    version: i32,
    title: String,
    /// `draft`, `superseded` (replaced by a newer draft before approval) or `approved`.
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

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    templates: Vec<TemplateView>,
}

/// Imports a process template as a draft version.
///
/// The body is the template's JSON itself (see `templates/` for its JSON Schema and the shipped
/// CD19 CAR-T template); it is kept exactly as sent.
#[utoipa::path(
    post,
    path = "/api/v1/templates",
    tag = "templates",
    operation_id = "import_template",
    security(("bearer" = [])),
    request_body(content = Object, content_type = "application/json", description = "The process template"),
    responses(
        (status = 201, description = "Imported as a draft", body = TemplateView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
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

/// Every version of every template.
#[utoipa::path(
    get,
    path = "/api/v1/templates",
    tag = "templates",
    operation_id = "list_templates",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every template version", body = TemplateList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn list(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .run(|conn| crate::services::projections::templates::list(conn).map_err(AppError::from))
        .await?;
    let templates: Vec<TemplateView> = rows.into_iter().map(TemplateView::from).collect();
    Ok(HttpResponse::Ok().json(TemplateList { templates }))
}

/// The version's JSON, byte for byte as imported.
#[utoipa::path(
    get,
    path = "/api/v1/templates/{code}/versions/{version}",
    tag = "templates",
    operation_id = "template_source",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The template's code"), ("version" = u32, Path, description = "The version number")),
    responses(
        (status = 200, description = "The template as imported", content_type = "application/json", body = Object),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    signature: SignatureInput,
}

/// QA approves a draft version, signed with meaning `approved`, by someone other than its
/// importer.
#[utoipa::path(
    post,
    path = "/api/v1/templates/{code}/versions/{version}/approve",
    tag = "templates",
    operation_id = "approve_template",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The template's code"), ("version" = u32, Path, description = "The version number")),
    request_body = Approve,
    responses(
        (status = 200, description = "Approved: new batches use this version", body = TemplateView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn approve(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<Approve>,
) -> Result<HttpResponse, AppError> {
    let (code, version) = path.into_inner();
    let input = body.into_inner().signature;
    let meaning = SignatureMeaning::Approved;
    let row = signed(
        &req,
        &state,
        who,
        input,
        meaning,
        move |conn, who, signer| templates::approve(conn, &who.actor(), &code, version, signer),
    )
    .await?;
    Ok(HttpResponse::Ok().json(TemplateView::from(row)))
}
