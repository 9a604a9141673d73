use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problems::{BadRequest, Forbidden, TooManyAttempts, Unauthorized, Unprocessable};
use super::AppState;
use crate::edge::client_address;
use crate::error::AppError;
use crate::services::accounts::{self, LoginGranted, Principal};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// A JWT, sent as `Authorization: Bearer <access_token>`.
    access_token: String,
    #[schema(value_type = String, example = "Bearer")]
    token_type: &'static str,
    expires_at: DateTime<Utc>,
    /// True until the temporary password is changed; until then only one's own account may
    /// be managed.
    must_change_password: bool,
}

fn token_response(granted: LoginGranted) -> HttpResponse {
    HttpResponse::Ok().json(LoginResponse {
        access_token: granted.access_token,
        token_type: "Bearer",
        expires_at: granted.expires_at,
        must_change_password: granted.must_change_password,
    })
}

/// Log in with user name and password; answers an access token.
// The typed user name is not logged: it is sometimes a password typed in the wrong field.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 429, response = TooManyAttempts),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let client = client_address(&req);
    state.throttle.check(&client, &username)?;
    let granted = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                accounts::login(
                    conn,
                    &state.tokens,
                    &state.policy,
                    &username,
                    &password,
                    &client,
                )
            }
        })
        .await
        .inspect_err(crate::error::ServiceError::count_login_refusal)?;
    Ok(token_response(granted))
}

/// A new access token for the caller's session, which must still be open.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token for the same session", body = LoginResponse),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn refresh(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let granted = state
        .db
        .run({
            let state = state.clone();
            move |conn| accounts::refresh(conn, &state.tokens, &who)
        })
        .await?;
    Ok(token_response(granted))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(value_type = String, format = Password)]
    current_password: SecretString,
    #[schema(value_type = String, format = Password)]
    new_password: SecretString,
}

/// Changes the caller's own password, then ends all of the caller's sessions.
#[utoipa::path(
    post,
    path = "/api/v1/auth/password",
    tag = "auth",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; every session of the caller has ended"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn change_password(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner();
    state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let (current, new) = (&current_password, &new_password);
                accounts::change_own_password(conn, &state.policy, &who, current, new, &client)
            }
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends the caller's session.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn logout(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(move |conn| accounts::logout(conn, &who))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
