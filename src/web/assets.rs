//! The UI's stylesheet, compiled into the binary: nothing is fetched from anywhere else.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const STYLESHEET: &str = include_str!("../../assets/ui/cartrec.css");

pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match name.as_str() {
        "cartrec.css" => HttpResponse::Ok()
            .content_type("text/css; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(STYLESHEET),
        _ => HttpResponse::NotFound().finish(),
    }
}
