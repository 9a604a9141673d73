//! Forms that carry files (a step's attachments) arrive as `multipart/form-data`. Text parts are
//! read as the form's fields; file parts as uploads, each bounded by `max_attachment_bytes`.

use actix_multipart::Multipart;
use futures_util::StreamExt;

use super::WebError;
use crate::error::AppError;

/// A file chosen in a form.
pub struct Upload {
    pub field: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The most text a form's fields may hold together: far more than any step has.
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// The form's text fields, in order, and its non-empty files.
pub async fn read(
    mut form: Multipart,
    max_file_bytes: usize,
) -> Result<(Vec<(String, String)>, Vec<Upload>), WebError> {
    let mut fields = vec![];
    let mut uploads = vec![];
    let mut text_bytes = 0;
    while let Some(part) = form.next().await {
        let mut part = part.map_err(broken)?;
        let name = part.name().unwrap_or_default().to_owned();
        let is_file = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .is_some();
        let content_type = part
            .content_type()
            .map_or_else(|| "application/octet-stream".to_owned(), |m| m.to_string());
        let limit = if is_file {
            max_file_bytes
        } else {
            MAX_TEXT_BYTES - text_bytes
        };
        let mut bytes = vec![];
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(broken)?;
            if bytes.len() + chunk.len() > limit {
                return Err(WebError::App(AppError::PayloadTooLarge));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            if !bytes.is_empty() {
                uploads.push(Upload {
                    field: name,
                    content_type,
                    bytes,
                });
            }
        } else {
            text_bytes += bytes.len();
            let text = String::from_utf8(bytes).map_err(|_| {
                WebError::App(AppError::BadRequest("a form field is not UTF-8".to_owned()))
            })?;
            fields.push((name, text));
        }
    }
    Ok((fields, uploads))
}

fn broken(error: actix_multipart::MultipartError) -> WebError {
    WebError::App(AppError::BadRequest(format!(
        "the form could not be read: {error}"
    )))
}
