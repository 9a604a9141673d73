//! Authentication and authorization of every request, before anything else about it is read:
//! a per-route middleware resolves the bearer token and server-side session, checks the
//! route's declared action, and leaves the principal for the handler's extractor.

use std::future::{ready, Ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, ResponseError};

use super::AppState;
use crate::auth::{Action, AuthError};
use crate::error::AppError;
use crate::services::accounts::{self, Principal};

/// Runs before the route's extractors, so a caller without the right role learns nothing
/// about the request's validity. `None`: the route is open to anyone.
pub async fn authorize(
    required: Option<Action>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(action) = required else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    match resolve(&req, action).await {
        Ok(principal) => {
            req.extensions_mut().insert(principal);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        // Answered here as a response, so outer middleware (security headers) still applies.
        Err(error) => Ok(req.into_response(error.error_response())),
    }
}

async fn resolve(req: &ServiceRequest, action: Action) -> Result<Principal, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or(AuthError::NoRule)?;
    let token = bearer_token(req.request()).ok_or(AuthError::MissingToken)?;
    let claims = state.tokens.decode(&token)?;
    let principal = state
        .db
        .run({
            let state = state.clone();
            move |conn| accounts::authenticate(conn, &state.policy, &claims.sub, &claims.jti)
        })
        .await?;
    principal.authorize(action)?;
    tracing::debug!(user = %principal.username, %action, "authorized");
    Ok(principal)
}

/// The principal the middleware authorized. A route that declares no action has none, and
/// a handler asking for one there is refused: fail closed.
impl FromRequest for Principal {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(|| AuthError::NoRule.into()),
        )
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}
