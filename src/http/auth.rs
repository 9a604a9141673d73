use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::extract::client_address;
use super::AppState;
use crate::accounts::{self, LoginGranted, Principal};
use crate::error::AppError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    username: String,
    password: SecretString,
}

#[derive(Serialize)]
pub struct LoginResponse {
    access_token: String,
    token_type: &'static str,
    expires_at: DateTime<Utc>,
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

// The typed user name is not logged: it is sometimes a password typed in the wrong field.
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
        .await?;
    Ok(token_response(granted))
}

/// A new access token for the caller's session, which must still be open.
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: SecretString,
    new_password: SecretString,
}

/// Changes the caller's own password, then ends all of the caller's sessions.
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

#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn logout(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .run(move |conn| accounts::logout(conn, &who))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
