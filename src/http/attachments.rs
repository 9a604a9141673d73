use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use super::problems::{BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized};
use super::AppState;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::attachments::{self, File};

#[derive(Serialize, ToSchema)]
pub struct Stored {
    /// Lowercase hex SHA-256 of the bytes: the attachment's name from now on.
    sha256: String,
}

/// The raw body, of any content type, stored by its SHA-256: 201 the first time, 200 when the
/// same bytes were uploaded before.
#[utoipa::path(
    post,
    path = "/api/v1/attachments",
    tag = "attachments",
    operation_id = "upload_attachment",
    security(("bearer" = [])),
    // No schema: the body is the file's raw bytes, of whatever type it is.
    request_body(
        description = "The file's bytes, sent with its own `Content-Type`",
        content(("*/*")),
    ),
    responses(
        (status = 201, description = "Stored for the first time", body = Stored),
        (status = 200, description = "The same bytes were stored before", body = Stored),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
    ),
)]
pub async fn upload(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    mut body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let limit = state.max_attachment_bytes;
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(AppError::BadRequest("the upload is empty".to_owned()));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let file = File {
        content_type,
        bytes: bytes.to_vec(),
    };
    let (sha256, first) = state
        .db
        .run(move |conn| attachments::store(conn, &who, file))
        .await?;
    let mut response = if first {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(Stored { sha256 }))
}

/// The file, with the content type it was uploaded with, as a download (never rendered).
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{sha256}",
    tag = "attachments",
    operation_id = "download_attachment",
    security(("bearer" = [])),
    params(("sha256" = String, Path, description = "Lowercase hex SHA-256 of the file")),
    responses(
        (
            status = 200,
            description = "The bytes, with the `Content-Type` they were uploaded with",
            content(("*/*")),
        ),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn download(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let sha256 = path.into_inner();
    let key = sha256.clone();
    let file = state
        .db
        .run(move |conn| attachments::load(conn, &key))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{sha256}\""),
        ))
        .body(file.bytes))
}
