use actix_web::{web, HttpResponse};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::accounts::{self, Account, NewAccount, Principal};
use crate::domain::{DomainError, FullName, Roles, Username};
use crate::error::AppError;

/// An account as the API shows it. Password hashes never leave the server.
#[derive(Serialize)]
pub struct UserView {
    username: String,
    full_name: String,
    roles: Vec<&'static str>,
    active: bool,
    must_change_password: bool,
    locked_until: Option<chrono::NaiveDateTime>,
}

impl From<Account> for UserView {
    fn from(account: Account) -> Self {
        UserView {
            username: account.username.as_str().to_owned(),
            full_name: account.full_name.as_str().to_owned(),
            roles: account.roles.names(),
            active: account.active,
            must_change_password: account.must_change_password,
            locked_until: account.locked_until,
        }
    }
}

pub async fn me(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let account = state
        .db
        .run(move |conn| accounts::find_account(conn, &who.username))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

pub async fn list(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let accounts = state.db.run(accounts::list_accounts).await?;
    let users: Vec<UserView> = accounts.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "users": users })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    username: String,
    full_name: String,
    roles: Vec<String>,
    /// A temporary password: the user must change it at first login.
    password: SecretString,
}

#[tracing::instrument(skip_all, fields(admin = %who.username, username = %body.username))]
pub async fn create(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = NewAccount {
        username: Username::parse(&body.username)?,
        full_name: FullName::parse(&body.full_name)?,
        roles: Roles::parse_names(&body.roles)?,
        password: body.password,
        must_change_password: true,
    };
    let actor = who.actor();
    let account = state
        .db
        .run(move |conn| accounts::create_account(conn, &actor, new))
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(account)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoles {
    roles: Vec<String>,
}

#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn change_roles(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ChangeRoles>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let roles = Roles::parse_names(&body.roles)?;
    let account = state
        .db
        .run(move |conn| accounts::change_roles(conn, &who, &username, roles))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deactivate {
    reason: String,
}

#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn deactivate(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Deactivate>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let reason = body.into_inner().reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(
            DomainError::new("invalid_reason", "give a reason of 1 to 500 characters").into(),
        );
    }
    let account = state
        .db
        .run(move |conn| accounts::deactivate(conn, &who, &username, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn unlock(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let account = state
        .db
        .run(move |conn| accounts::unlock(conn, &who, &username))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// A temporary password: the user must change it at next login.
    password: SecretString,
}

#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn reset_password(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ResetPassword>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let temporary = body.into_inner().password;
    state
        .db
        .run(move |conn| accounts::reset_password(conn, &who, &username, &temporary))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
