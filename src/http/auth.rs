use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::extract::client_address;
use super::AppState;
use crate::accounts::{self, Principal};
use crate::auth::Action;
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

#[tracing::instrument(skip_all, fields(username = %body.username))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let client = client_address(&req);
    let granted = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                accounts::login(
                    conn,
                    &state.tokens,
                    &state.sessions,
                    &username,
                    &password,
                    &client,
                )
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: granted.access_token,
        token_type: "Bearer",
        expires_at: granted.expires_at,
        must_change_password: granted.must_change_password,
    }))
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
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    who.authorize(Action::ManageOwnAccount)?;
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner();
    state
        .db
        .run(move |conn| {
            accounts::change_own_password(conn, &who, &current_password, &new_password)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn logout(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    who.authorize(Action::ManageOwnAccount)?;
    state
        .db
        .run(move |conn| accounts::logout(conn, &who))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
