use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::AppState;
use crate::accounts::Principal;
use crate::attachments::{self, File};
use crate::error::AppError;

/// The raw body, of any content type, stored by its SHA-256: 201 the first time, 200 when the
/// same bytes were uploaded before.
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
    let actor = who.actor();
    let file = File {
        content_type,
        bytes: bytes.to_vec(),
    };
    let (sha256, first) = state
        .db
        .run(move |conn| attachments::store(conn, &actor, file))
        .await?;
    let mut response = if first {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(serde_json::json!({ "sha256": sha256 })))
}

/// The file, with the content type it was uploaded with, as a download (never rendered).
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
