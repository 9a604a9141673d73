//! Roles waiting for approval, and one's own signature certification that must come first.
//! An approver signs (`approved`) to make an account's pending roles effective; the owner
//! signs (`acknowledged`) the statement that their electronic signature binds them. Who may
//! approve whose roles is the domain's rule (`domain::account::state`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use super::users::AccountLine;
use super::{page, see_other};
use crate::auth::SignatureMeaning;
use crate::domain::account::events::ACKNOWLEDGMENT_STATEMENT;
use crate::domain::Username;
use crate::services::accounts::{self, Account};
use crate::services::approvals::{self, ApprovedBy};
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, Posted, Viewer};
use crate::web::signing::plain::SignActionPage;
use crate::web::signing::Typed;
use crate::web::{signing, Answer, WebError};

#[derive(Template)]
#[template(path = "ui/approvals.html")]
struct ListPage {
    frame: Frame,
    waiting: Vec<AccountLine>,
    done: Option<String>,
}

pub async fn list(request: PageRequest) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let found = state.db.run(accounts::list_accounts).await?;
    let shown = ListPage {
        frame: Frame::of(viewer, "/approvals"),
        waiting: found
            .iter()
            .filter(|a| a.active && !a.roles_pending.is_empty())
            .map(|a| AccountLine::of(a, viewer))
            .collect(),
        done: done
            .approved
            .as_deref()
            .map(|who| viewer.tr.t1("approval-done", "user", who)),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
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

pub async fn approve_form(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let account = super::users::account(state, &path).await?;
    Ok(approve_dialog(viewer, &account).show(viewer))
}

/// Approves the account's pending roles as `POST /api/v1/users/{username}/approve` does.
pub async fn approve(
    request: PageRequest,
    path: web::Path<String>,
    Posted(form): Posted<Typed>,
) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let target = Username::parse(&path).map_err(|_| WebError::NotFound)?;
    let meaning = SignatureMeaning::Approved;
    let approved = signing::sign(req, viewer, &form, meaning, {
        let target = target.clone();
        move |conn, who, signer| {
            let by = ApprovedBy::Signature {
                approver: who.clone(),
                signer,
            };
            approvals::approve(conn, &target, by)
        }
    })
    .await?;
    match approved {
        Ok(_) => Ok(see_other(&format!("/approvals?approved={target}"))),
        Err(error) => {
            let account = super::users::account(state, &path).await?;
            Ok(approve_dialog(viewer, &account).refused(viewer, &error))
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
pub async fn acknowledge(request: PageRequest, Posted(form): Posted<Typed>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let meaning = SignatureMeaning::Acknowledged;
    let done = signing::sign(req, viewer, &form, meaning, approvals::acknowledge).await?;
    match done {
        Ok(_) => Ok(see_other("/?acknowledged=1")),
        Err(error) => Ok(acknowledge_dialog(viewer).refused(viewer, &error)),
    }
}
