//! Roles waiting for approval, and one's own signature certification that must come first.
//! An approver signs (`approved`) to make an account's pending roles effective; the owner
//! signs (`acknowledged`) the statement that their electronic signature binds them. Who may
//! approve whose roles is the domain's rule (`domain::account::state`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use secrecy::SecretString;

use super::forms::{field, SignActionPage, Typed};
use super::users::AccountLine;
use super::{page, see_other};
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::account::events::ACKNOWLEDGMENT_STATEMENT;
use crate::domain::Username;
use crate::edge::signed;
use crate::services::accounts::{self, Account};
use crate::services::approvals::{self, ApprovedBy};
use crate::web::frame::Frame;
use crate::web::session::{self, Posted, Viewer};
use crate::web::WebError;

#[derive(Template)]
#[template(path = "ui/approvals.html")]
struct ListPage {
    frame: Frame,
    waiting: Vec<AccountLine>,
    done: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct Done {
    approved: Option<String>,
}

pub async fn list(
    req: HttpRequest,
    viewer: Viewer,
    done: web::Query<Done>,
) -> Result<HttpResponse, WebError> {
    let state = session::state(&req)?;
    let found = state.db.run(accounts::list_accounts).await?;
    let shown = ListPage {
        frame: Frame::of(&viewer, "/approvals"),
        waiting: found
            .iter()
            .filter(|a| a.active && !a.roles_pending.is_empty())
            .map(|a| AccountLine::of(a, &viewer))
            .collect(),
        done: done
            .approved
            .as_deref()
            .map(|who| viewer.tr.t1("approval-done", "user", who)),
    };
    Ok(page(&viewer, StatusCode::OK, &shown))
}

async fn account(req: &HttpRequest, username: &str) -> Result<Account, WebError> {
    let state = session::state(req)?;
    let username = Username::parse(username).map_err(|_| WebError::NotFound)?;
    Ok(state
        .db
        .run(move |conn| accounts::find_account(conn, &username))
        .await?)
}

fn approve_dialog(viewer: &Viewer, account: &Account) -> SignActionPage {
    let tr = viewer.tr;
    let line = AccountLine::of(account, viewer);
    let summary = vec![
        (tr.t("username"), line.username.clone()),
        (tr.t("user-full-name"), line.full_name.clone()),
        (tr.t("user-roles-pending"), line.pending.clone()),
        (
            tr.t("user-signature-certified"),
            line.acknowledged.clone().unwrap_or_else(|| tr.t("no")),
        ),
    ];
    let here = format!("/approvals/{}", line.username);
    let mut dialog = SignActionPage::new(
        viewer,
        &here,
        tr.t1("approval-title", "user", &line.username),
        SignatureMeaning::Approved,
        summary,
    );
    dialog.back = "/approvals".to_owned();
    dialog
}

pub async fn approve_form(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let account = account(&req, &path).await?;
    Ok(approve_dialog(&viewer, &account).show(&viewer))
}

fn signature(form: &Typed, meaning: SignatureMeaning) -> SignatureInput {
    SignatureInput {
        password: SecretString::from(field(form, "password")),
        meaning,
        comment: Some(field(form, "comment")).filter(|c| !c.trim().is_empty()),
    }
}

/// Approves the account's pending roles as `POST /api/v1/users/{username}/approve` does.
pub async fn approve(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    Posted(form): Posted<Typed>,
) -> Result<HttpResponse, WebError> {
    let state = session::state(&req)?;
    let target = Username::parse(&path).map_err(|_| WebError::NotFound)?;
    let meaning = SignatureMeaning::Approved;
    let approved = signed(
        &req,
        &state,
        viewer.who.clone(),
        signature(&form, meaning),
        meaning,
        {
            let target = target.clone();
            move |conn, who, signer| {
                let by = ApprovedBy::Signature {
                    approver: who.clone(),
                    signer,
                };
                approvals::approve(conn, &target, by)
            }
        },
    )
    .await;
    match approved {
        Ok(_) => Ok(see_other(&format!("/approvals?approved={target}"))),
        Err(error) => {
            let account = account(&req, &path).await?;
            Ok(approve_dialog(&viewer, &account).refused(&viewer, &error))
        }
    }
}

fn acknowledge_dialog(viewer: &Viewer) -> SignActionPage {
    let tr = viewer.tr;
    let summary = vec![
        (tr.t("username"), viewer.who.username.as_str().to_owned()),
        (
            tr.t("user-full-name"),
            viewer.who.full_name.as_str().to_owned(),
        ),
    ];
    let mut dialog = SignActionPage::new(
        viewer,
        "/account/acknowledge",
        tr.t("acknowledge-title"),
        SignatureMeaning::Acknowledged,
        summary,
    );
    dialog.certified = Some(ACKNOWLEDGMENT_STATEMENT.to_owned());
    dialog
}

pub async fn acknowledge_form(viewer: Viewer) -> Result<HttpResponse, WebError> {
    if viewer.who.must_change_password {
        return Ok(see_other("/password"));
    }
    Ok(acknowledge_dialog(&viewer).show(&viewer))
}

/// The owner's certification, as `POST /api/v1/users/me/acknowledge`.
pub async fn acknowledge(
    req: HttpRequest,
    viewer: Viewer,
    Posted(form): Posted<Typed>,
) -> Result<HttpResponse, WebError> {
    let state = session::state(&req)?;
    let meaning = SignatureMeaning::Acknowledged;
    let done = signed(
        &req,
        &state,
        viewer.who.clone(),
        signature(&form, meaning),
        meaning,
        approvals::acknowledge,
    )
    .await;
    match done {
        Ok(_) => Ok(see_other("/?acknowledged=1")),
        Err(error) => Ok(acknowledge_dialog(&viewer).refused(&viewer, &error)),
    }
}
