use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::extract::client_address;
use super::AppState;
use crate::accounts::{self, Account, Approval, ApprovedBy, NewAccount, Principal};
use crate::auth::password::generate_password;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::text::printable_line;
use crate::domain::{DomainError, FullName, Roles, Username};
use crate::error::AppError;
use crate::signatures;

/// An account as the API shows it. Password hashes never leave the server.
#[derive(Serialize)]
pub struct UserView {
    username: String,
    full_name: String,
    /// Effective roles: only these authorize anything.
    roles: Vec<&'static str>,
    /// Roles waiting for the owner's acknowledgment and an approver's signature.
    roles_pending: Vec<&'static str>,
    active: bool,
    must_change_password: bool,
    locked_until: Option<chrono::NaiveDateTime>,
    /// When the owner certified that their electronic signature binds them.
    acknowledged_at: Option<chrono::NaiveDateTime>,
}

impl From<Account> for UserView {
    fn from(account: Account) -> Self {
        UserView {
            username: account.username.as_str().to_owned(),
            full_name: account.full_name.as_str().to_owned(),
            roles: account.roles.names(),
            roles_pending: account.roles_pending.names(),
            active: account.active,
            must_change_password: account.must_change_password,
            locked_until: account.locked_until,
            acknowledged_at: account.acknowledged_at,
        }
    }
}

/// An account just given a temporary password, which is shown this once.
#[derive(Serialize)]
struct WithTemporaryPassword {
    #[serde(flatten)]
    user: UserView,
    temporary_password: String,
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
    /// Refused: the server generates the temporary password, so nobody chooses one for
    /// another person.
    password: Option<serde::de::IgnoredAny>,
}

/// The server generates the temporary password; the roles wait for the owner's acknowledgment
/// and an approver other than this administrator.
#[tracing::instrument(skip_all, fields(admin = %who.username, username = %body.username))]
pub async fn create(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    refuse_chosen_password(body.password.is_some())?;
    let password = generate_password();
    let new = NewAccount {
        username: Username::parse(&body.username)?,
        full_name: FullName::parse(&body.full_name)?,
        roles: Roles::parse_names(&body.roles)?,
        password: password.clone(),
        must_change_password: true,
        approval: Approval::Pending,
    };
    let actor = who.actor();
    let account = state
        .db
        .run(move |conn| accounts::create_account(conn, &actor, new))
        .await?;
    Ok(HttpResponse::Created().json(with_password(account, &password)))
}

fn refuse_chosen_password(given: bool) -> Result<(), AppError> {
    if given {
        return Err(DomainError::new(
            "password_not_accepted",
            "the server generates the temporary password and answers it once; do not send one",
        )
        .into());
    }
    Ok(())
}

fn with_password(account: Account, password: &SecretString) -> WithTemporaryPassword {
    WithTemporaryPassword {
        user: UserView::from(account),
        temporary_password: password.expose_secret().to_owned(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoles {
    roles: Vec<String>,
}

/// Roles removed end at once; roles added wait for approval.
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
        .run(move |conn| accounts::request_roles(conn, &who, &username, roles))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed {
    signature: SignatureInput,
}

/// The caller certifies that their electronic signature binds them (meaning `acknowledged`).
#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn acknowledge(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<Signed>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let input = body.into_inner().signature;
    let account = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let meaning = SignatureMeaning::Acknowledged;
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    input,
                    meaning,
                    &client,
                )?;
                accounts::acknowledge(conn, &who, signer)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

/// Makes an account's pending roles effective, signed with meaning `approved`.
#[tracing::instrument(skip_all, fields(approver = %who.username, username = %path))]
pub async fn approve(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Signed>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let input = body.into_inner().signature;
    let account = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let meaning = SignatureMeaning::Approved;
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    input,
                    meaning,
                    &client,
                )?;
                let by = ApprovedBy::Signature {
                    approver: who,
                    signer,
                };
                accounts::approve(conn, &username, by)
            }
        })
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
    let reason = printable_line(&body.reason, "invalid_reason", "a reason", 1..=500)?;
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
    /// Refused, as at creation: the server generates the temporary password.
    password: Option<serde::de::IgnoredAny>,
}

/// A new temporary password, generated and answered once; the account's roles wait for
/// approval again, since the administrator has seen the password.
#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn reset_password(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ResetPassword>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    refuse_chosen_password(body.password.is_some())?;
    let (account, temporary) = state
        .db
        .run(move |conn| {
            let temporary = accounts::reset_password(conn, &who, &username)?;
            Ok::<_, AppError>((accounts::find_account(conn, &username)?, temporary))
        })
        .await?;
    Ok(HttpResponse::Ok().json(with_password(account, &temporary)))
}
