//! Request extractors: the authenticated principal, resolved from the bearer token and the
//! server-side session on every request.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::AppState;
use crate::accounts::{self, Principal};
use crate::auth::AuthError;
use crate::error::AppError;

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or(AuthError::InvalidToken)?;
            let token = token.ok_or(AuthError::MissingToken)?;
            let claims = state.tokens.decode(&token)?;
            let principal = state
                .db
                .run({
                    let state = state.clone();
                    move |conn| {
                        accounts::authenticate(conn, &state.sessions, &claims.sub, &claims.jti)
                    }
                })
                .await?;
            tracing::debug!(user = %principal.username, "authenticated");
            Ok(principal)
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// The client's address as the socket saw it (forwarded headers are not trusted).
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |addr| addr.ip().to_string())
}
