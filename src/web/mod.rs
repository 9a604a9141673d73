//! The web UI: server-rendered pages (askama) for people at the bench, in QC, QA, the QP's
//! office, on the ward and in an inspection. No script: forms post to the server, which
//! calls the same services and `domain/` rules as the API, so every rule holds once. Pages
//! only parse what was typed and present what the services answer.

mod assets;
mod frame;
pub mod i18n;
mod multipart;
mod pages;
pub mod refusal_codes;
mod routes;
pub mod session;
mod signing;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;

use crate::error::AppError;
use frame::Frame;
use i18n::Tr;
pub use routes::{Access, Page, PAGES};

/// A page's answer: the page, a redirect, or what it could not do.
pub type Answer = Result<HttpResponse, WebError>;

/// What a page could not do, answered as a page (never as problem JSON).
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No session, or one that has ended: the login page.
    #[error("sign in first")]
    SignIn,
    /// A form without the session's token: made elsewhere, or from before a new login.
    #[error("the form's security token is missing or out of date")]
    Csrf,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    App(#[from] AppError),
    #[error("internal error")]
    Internal,
}

impl From<crate::error::ServiceError> for WebError {
    fn from(e: crate::error::ServiceError) -> Self {
        WebError::App(e.into())
    }
}

impl From<crate::db::DbError> for WebError {
    fn from(e: crate::db::DbError) -> Self {
        WebError::App(e.into())
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        tracing::error!(%error, "a page did not render");
        WebError::Internal
    }
}

#[derive(Template)]
#[template(path = "ui/error.html")]
struct ErrorPage {
    frame: Frame,
    heading: String,
    message: String,
    detail: Option<String>,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::SignIn => StatusCode::SEE_OTHER,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::App(e) => e.status_code(),
            WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let WebError::SignIn = self {
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish();
        }
        // The language is not known here: `localize_errors` renders the page again in the
        // viewer's language.
        render_error(Tr::new(i18n::Lang::En), self)
    }
}

/// An error as a page in the viewer's language, with the refusal's translated message and the
/// server's own detail beneath it.
pub fn render_error(tr: Tr, error: &WebError) -> HttpResponse {
    let (heading, message, detail) = match error {
        WebError::SignIn => (tr.t("error-sign-in"), tr.t("error-sign-in-text"), None),
        WebError::Csrf => (tr.t("error-csrf"), tr.t("error-csrf-text"), None),
        WebError::NotFound => (tr.t("error-not-found"), tr.t("error-not-found-text"), None),
        WebError::App(e) => {
            if e.status_code().is_server_error() {
                tracing::error!(error = %e, cause = ?e, "a page failed");
            }
            (
                tr.t("error-refused"),
                tr.refusal(e.code()),
                Some(e.to_string()),
            )
        }
        WebError::Internal => (tr.t("error-internal"), tr.refusal("internal_error"), None),
    };
    let page = ErrorPage {
        frame: Frame::anonymous(tr, String::new(), "/"),
        heading,
        message,
        detail,
    };
    let body = page.render().unwrap_or_else(|_| "error".to_owned());
    html(error.status_code(), body)
}

/// Renders a page's error in the language of the request that met it (the error itself is
/// made where the language is not at hand). Responses of the API are left as they are.
pub async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let lang = session::language(req.request());
    let response = next.call(req).await?.map_into_boxed_body();
    let page = response
        .response()
        .error()
        .and_then(|error| error.as_error::<WebError>())
        .filter(|error| !matches!(error, WebError::SignIn))
        .map(|error| render_error(Tr::new(lang), error));
    Ok(match page {
        Some(page) => response.into_response(page),
        None => response,
    })
}

/// A page's HTML with the UI's own Content-Security-Policy: its stylesheet, its forms, and
/// nothing else (no script at all).
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .body(body)
}

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The UI's routes, beside the API's `/api/v1`: one table, with who may open each page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    routes::configure(cfg);
}
