//! Request extractors: the authenticated principal, resolved from the bearer token and the
//! server-side session on every request, and authorized for the route's declared action.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::AppState;
use crate::accounts::{self, Principal};
use crate::auth::{Action, AuthError};
use crate::error::AppError;

/// The action a route requires, attached to the route where it is declared.
#[derive(Debug, Clone, Copy)]
pub struct RequiredAction(pub Action);

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let required = req.app_data::<RequiredAction>().copied();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state.ok_or(AuthError::NoRule)?;
            let token = token.ok_or(AuthError::MissingToken)?;
            let claims = state.tokens.decode(&token)?;
            let principal = state
                .db
                .run({
                    let state = state.clone();
                    move |conn| {
                        accounts::authenticate(conn, &state.policy, &claims.sub, &claims.jti)
                    }
                })
                .await?;
            // Fail closed: a route that declares no action admits nobody.
            let RequiredAction(action) = required.ok_or(AuthError::NoRule)?;
            principal.authorize(action)?;
            tracing::debug!(user = %principal.username, %action, "authorized");
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
