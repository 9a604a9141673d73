use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, TooManyAttempts, Unauthorized, Unprocessable,
};
use super::user_views::{with_password, UserList, UserView, WithTemporaryPassword};
use super::AppState;
use crate::auth::password::generate_password;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::{About, DomainError, Roles, Username};
use crate::edge::signed;
use crate::error::AppError;
use crate::services::accounts::{self, NewAccount, Principal};
use crate::services::approvals::{self, ApprovedBy};

/// The caller's own account.
#[utoipa::path(
    get,
    path = "/api/v1/users/me",
    tag = "users",
    operation_id = "my_account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = UserView),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn me(who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let account = state
        .db
        .run(move |conn| accounts::find_account(conn, &who.username))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

/// Every account.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    operation_id = "list_users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every account", body = UserList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn list(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let accounts = state.db.run(accounts::list_accounts).await?;
    let users: Vec<UserView> = accounts.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(UserList { users }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    username: String,
    full_name: String,
    /// Role names, e.g. `operator`, `qc_analyst`, `qa`, `qp`, `auditor`, `admin`.
    roles: Vec<String>,
    /// Refused: the server generates the temporary password, so nobody chooses one for
    /// another person. Not documented, since sending it is always an error.
    #[schema(ignore)]
    password: Option<serde::de::IgnoredAny>,
}

/// Creates an account with a temporary password, answered once.
///
/// The server generates the temporary password; the roles wait for the owner's acknowledgment
/// and an approver other than this administrator.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    operation_id = "create_user",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created; the temporary password is shown this once", body = WithTemporaryPassword),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
#[tracing::instrument(skip_all, fields(admin = %who.username, username = %body.username))]
pub async fn create(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    refuse_chosen_password(body.password.is_some())?;
    let password = generate_password();
    let new = NewAccount::requested(
        &body.username,
        &body.full_name,
        &body.roles,
        password.clone(),
    )?;
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoles {
    roles: Vec<String>,
}

/// Changes an account's roles: roles removed end at once; roles added wait for approval.
#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/roles",
    tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    request_body = ChangeRoles,
    responses(
        (status = 200, description = "The account, with its roles as they now stand", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn change_roles(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ChangeRoles>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let roles = Roles::parse_names(&body.roles).about("roles")?;
    let account = state
        .db
        .run(move |conn| accounts::request_roles(conn, &who, &username, roles))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signed {
    signature: SignatureInput,
}

/// The caller certifies that their electronic signature binds them (meaning `acknowledged`).
#[utoipa::path(
    post,
    path = "/api/v1/users/me/acknowledge",
    tag = "users",
    security(("bearer" = [])),
    request_body = Signed,
    responses(
        (status = 200, description = "The caller's account, acknowledged", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %who.username))]
pub async fn acknowledge(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<Signed>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner().signature;
    let meaning = SignatureMeaning::Acknowledged;
    let account = signed(&req, &state, who, input, meaning, |conn, who, signer| {
        approvals::acknowledge(conn, who, signer)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

/// Makes an account's pending roles effective, signed with meaning `approved`.
#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/approve",
    tag = "users",
    operation_id = "approve_account",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    request_body = Signed,
    responses(
        (status = 200, description = "The account, its roles now effective", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
#[tracing::instrument(skip_all, fields(approver = %who.username, username = %path))]
pub async fn approve(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Signed>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let input = body.into_inner().signature;
    let meaning = SignatureMeaning::Approved;
    let account = signed(
        &req,
        &state,
        who,
        input,
        meaning,
        move |conn, who, signer| {
            let by = ApprovedBy::Signature {
                approver: who.clone(),
                signer,
            };
            approvals::approve(conn, &username, by)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deactivate {
    /// One line, 1 to 500 characters.
    reason: String,
}

/// Deactivates an account and ends its sessions; it can no longer log in.
#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/deactivate",
    tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    request_body = Deactivate,
    responses(
        (status = 200, description = "The account, deactivated", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
#[tracing::instrument(skip_all, fields(admin = %who.username, username = %path))]
pub async fn deactivate(
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Deactivate>,
) -> Result<HttpResponse, AppError> {
    let username = Username::parse(&path)?;
    let reason = body.into_inner().reason;
    let account = state
        .db
        .run(move |conn| accounts::deactivate(conn, &who, &username, &reason))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(account)))
}

/// Unlocks an account locked after failed password attempts.
#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/unlock",
    tag = "users",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    responses(
        (status = 200, description = "The account, unlocked", body = UserView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
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

/// An empty object: the server generates the temporary password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// Refused, as at creation: the server generates the temporary password.
    #[schema(ignore)]
    password: Option<serde::de::IgnoredAny>,
}

/// Resets an account's password to a new temporary one, answered once.
///
/// The account's roles wait for approval again, since the administrator has seen the password.
#[utoipa::path(
    post,
    path = "/api/v1/users/{username}/password",
    tag = "users",
    operation_id = "reset_user_password",
    security(("bearer" = [])),
    params(("username" = String, Path, description = "The account's user name")),
    request_body = ResetPassword,
    responses(
        (status = 200, description = "The account; the temporary password is shown this once", body = WithTemporaryPassword),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
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
