//! Administration of accounts: the list with effective and pending roles, creating an account
//! (its temporary password shown once), changing roles, deactivating, unlocking and resetting
//! a password. The same `accounts` functions as `/api/v1/users`; who may do what to whom is
//! decided there and in `domain::account`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;
use secrecy::{ExposeSecret, SecretString};

use super::{page, see_other};
use crate::auth::password::generate_password;
use crate::auth::Action;
use crate::domain::{About, Role, Roles, Username};
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::accounts::{self, Account, NewAccount};
use crate::web::frame::Frame;
use crate::web::i18n::Tr;
use crate::web::session::{PageRequest, Posted, Viewer};
use crate::web::signing::plain::{place, FormPage, General};
use crate::web::signing::step as step_form;
use crate::web::signing::{all, field, Input, Refusal, Typed};
use crate::web::{Answer, WebError};

/// An account as the pages show it.
pub struct AccountLine {
    pub username: String,
    pub full_name: String,
    pub roles: String,
    pub pending: String,
    pub active: bool,
    /// When the account is locked after failed passwords, until when.
    pub locked: Option<String>,
    pub acknowledged: Option<String>,
    pub must_change_password: bool,
}

pub fn role_names(roles: &Roles, tr: Tr) -> String {
    roles
        .names()
        .iter()
        .map(|r| tr.t(&format!("role-{r}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn when(at: chrono::NaiveDateTime, viewer: &Viewer) -> String {
    step_form::show_datetime(&at.and_utc().to_rfc3339(), viewer.zone, viewer.tr)
}

impl AccountLine {
    pub fn of(account: &Account, viewer: &Viewer) -> AccountLine {
        let tr = viewer.tr;
        AccountLine {
            username: account.username.as_str().to_owned(),
            full_name: account.full_name.as_str().to_owned(),
            roles: role_names(&account.roles, tr),
            pending: role_names(&account.roles_pending, tr),
            active: account.active,
            locked: account.locked_until.map(|at| when(at, viewer)),
            acknowledged: account.acknowledged_at.map(|at| when(at, viewer)),
            must_change_password: account.must_change_password,
        }
    }
}

#[derive(Template)]
#[template(path = "ui/users.html")]
struct ListPage {
    frame: Frame,
    accounts: Vec<AccountLine>,
    can_create: bool,
}

pub async fn list(request: PageRequest) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let found = state.db.run(accounts::list_accounts).await?;
    let shown = ListPage {
        frame: Frame::of(viewer, "/admin/users"),
        accounts: found.iter().map(|a| AccountLine::of(a, viewer)).collect(),
        can_create: viewer.can(Action::CreateUser),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn role_options(ticked: &[String], tr: Tr) -> Vec<(String, String, bool)> {
    Role::ALL
        .iter()
        .map(|role| {
            let name = role.as_str().to_owned();
            let on = ticked.contains(&name);
            (name, tr.t(&format!("role-{}", role.as_str())), on)
        })
        .collect()
}

fn new_user_form(viewer: &Viewer, typed: &Typed) -> FormPage {
    let tr = viewer.tr;
    let inputs = vec![
        Input::text("username", tr.t("username"), typed).hint(tr.t("user-username-hint")),
        Input::text("full_name", tr.t("user-full-name"), typed).hint(tr.t("user-full-name-hint")),
        Input::checkboxes(
            "roles",
            tr.t("user-roles"),
            role_options(&all(typed, "roles"), tr),
        )
        .hint(tr.t("user-roles-hint")),
    ];
    let mut form = FormPage::new(
        viewer,
        "/admin/users/new",
        tr.t("user-create-title"),
        inputs,
    );
    form.intro = Some(tr.t("user-create-intro"));
    form.submit = tr.t("user-create");
    form.submit_id = "create-user";
    form.back = "/admin/users".to_owned();
    form
}

pub async fn new_form(viewer: Viewer) -> Result<HttpResponse, WebError> {
    Ok(new_user_form(&viewer, &vec![]).show(&viewer))
}

/// A temporary password, shown this once: to a new account, or after a reset.
#[derive(Template)]
#[template(path = "ui/user_password.html")]
struct PasswordPage {
    frame: Frame,
    heading: String,
    account: AccountLine,
    password: String,
    instruction: String,
}

fn password_page(
    viewer: &Viewer,
    account: &Account,
    password: &SecretString,
    created: bool,
) -> HttpResponse {
    let tr = viewer.tr;
    let line = AccountLine::of(account, viewer);
    let shown = PasswordPage {
        frame: Frame::of(viewer, &format!("/admin/users/{}", line.username)),
        heading: tr.t(if created {
            "user-created-title"
        } else {
            "user-reset-title"
        }),
        instruction: tr.t1("user-password-instruction", "name", &line.full_name),
        account: line,
        password: password.expose_secret().to_owned(),
    };
    let mut response = page(viewer, StatusCode::OK, &shown);
    // Never kept by the browser's cache or history.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Creates the account as `POST /api/v1/users` does, and shows its temporary password once.
pub async fn create(request: PageRequest, Posted(typed): Posted<Typed>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let password = generate_password();
    let made: Result<Account, AppError> = async {
        let new = NewAccount::requested(
            field(&typed, "username").trim(),
            field(&typed, "full_name").trim(),
            &all(&typed, "roles"),
            password.clone(),
        )?;
        let actor = viewer.who.actor();
        Ok(state
            .db
            .run(move |conn| accounts::create_account(conn, &actor, new))
            .await?)
    }
    .await;
    match made {
        Ok(account) => Ok(password_page(viewer, &account, &password, true)),
        Err(error) => Ok(new_user_form(viewer, &typed).refused(viewer, &error)),
    }
}

#[derive(Template)]
#[template(path = "ui/user.html")]
struct UserPage {
    frame: Frame,
    account: AccountLine,
    /// The roles form: effective and pending roles ticked.
    roles_inputs: Vec<Input>,
    reason_inputs: Vec<Input>,
    can_change_roles: bool,
    can_deactivate: bool,
    can_unlock: bool,
    can_reset: bool,
    done: Option<String>,
    error: General,
}

/// The account named in a page's path (an unknown or malformed name is not found).
pub(super) async fn account(
    state: &web::Data<AppState>,
    username: &str,
) -> Result<Account, WebError> {
    let username = Username::parse(username).map_err(|_| WebError::NotFound)?;
    Ok(state
        .db
        .run(move |conn| accounts::find_account(conn, &username))
        .await?)
}

/// The account's page; `typed` is the form that came back refused, `roles_form` whether it was
/// the roles form (whose ticks are then kept as they were).
fn user_page(
    viewer: &Viewer,
    account: &Account,
    typed: Option<&Typed>,
    roles_form: bool,
) -> UserPage {
    let tr = viewer.tr;
    let requested: Vec<String> = match typed {
        Some(typed) if roles_form => all(typed, "roles"),
        _ => account
            .roles
            .iter()
            .chain(account.roles_pending.iter())
            .map(|r| r.as_str().to_owned())
            .collect(),
    };
    let none = vec![];
    let reason = Input::text(
        "reason",
        tr.t("user-deactivate-reason"),
        typed.unwrap_or(&none),
    );
    let line = AccountLine::of(account, viewer);
    UserPage {
        frame: Frame::of(viewer, &format!("/admin/users/{}", line.username)),
        roles_inputs: vec![Input::checkboxes(
            "roles",
            tr.t("user-roles"),
            role_options(&requested, tr),
        )
        .hint(tr.t("user-roles-change-hint"))],
        reason_inputs: vec![reason],
        can_change_roles: viewer.can(Action::ChangeUserRoles) && account.active,
        can_deactivate: viewer.can(Action::DeactivateUser) && account.active,
        can_unlock: viewer.can(Action::UnlockUser) && account.locked_until.is_some(),
        can_reset: viewer.can(Action::ResetUserPassword) && account.active,
        account: line,
        done: None,
        error: None,
    }
}

pub async fn show(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_req, viewer, state, done) = request.parts();
    let account = account(state, &path).await?;
    let mut shown = user_page(viewer, &account, None, false);
    shown.done = done
        .done
        .as_deref()
        .filter(|d| ["roles", "deactivated", "unlocked"].contains(d))
        .map(|d| viewer.tr.t(&format!("user-done-{d}")));
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// What an administrator does to an account from its page.
enum Change {
    Roles,
    Deactivate,
    Unlock,
    Reset,
}

pub async fn change(
    request: PageRequest,
    path: web::Path<(String, String)>,
    Posted(typed): Posted<Typed>,
) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let (username, what) = path.into_inner();
    let change = match what.as_str() {
        "roles" => Change::Roles,
        "deactivate" => Change::Deactivate,
        "unlock" => Change::Unlock,
        "password" => Change::Reset,
        _ => return Err(WebError::NotFound),
    };
    let target = Username::parse(&username).map_err(|_| WebError::NotFound)?;
    let who = viewer.who.clone();
    let outcome: Result<(Account, Option<SecretString>), AppError> = match change {
        Change::Roles => match Roles::parse_names(&all(&typed, "roles")).about("roles") {
            Ok(roles) => state
                .db
                .run(move |conn| accounts::request_roles(conn, &who, &target, roles))
                .await
                .map(|a| (a, None))
                .map_err(AppError::from),
            Err(e) => Err(e.into()),
        },
        Change::Deactivate => {
            let reason = field(&typed, "reason");
            state
                .db
                .run(move |conn| accounts::deactivate(conn, &who, &target, &reason))
                .await
                .map(|a| (a, None))
                .map_err(AppError::from)
        }
        Change::Unlock => state
            .db
            .run(move |conn| accounts::unlock(conn, &who, &target))
            .await
            .map(|a| (a, None))
            .map_err(AppError::from),
        Change::Reset => {
            state
                .db
                .run(move |conn| {
                    let temporary = accounts::reset_password(conn, &who, &target)?;
                    Ok::<_, AppError>((accounts::find_account(conn, &target)?, Some(temporary)))
                })
                .await
        }
    };
    match outcome {
        Ok((account, Some(temporary))) => Ok(password_page(viewer, &account, &temporary, false)),
        Ok(_) => {
            let done = match what.as_str() {
                "deactivate" => "deactivated",
                "unlock" => "unlocked",
                _ => "roles",
            };
            Ok(see_other(&format!("/admin/users/{username}?done={done}")))
        }
        Err(error) => {
            let account = account(state, &username).await?;
            let mut shown = user_page(viewer, &account, Some(&typed), what == "roles");
            let mut inputs: Vec<Input> = shown.roles_inputs.drain(..).collect();
            inputs.append(&mut shown.reason_inputs);
            shown.error = place(&mut inputs, &Refusal::of(viewer, &error));
            shown.reason_inputs = inputs.split_off(1);
            shown.roles_inputs = inputs;
            Ok(page(viewer, error.status_code(), &shown))
        }
    }
}
