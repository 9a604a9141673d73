//! The work list: what waits for the signed-in person, by their roles.

use actix_web::http::StatusCode;
use askama::Template;

use super::batch_list::{summaries, waiting_for, Listed};
use super::page;
use crate::auth::Action;
use crate::domain::batch::BatchState;
use crate::services::paging::PageSpec;
use crate::services::projections::batches::Filter;
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, Viewer};
use crate::web::{Answer, WebError};

#[derive(Template)]
#[template(path = "ui/home.html")]
struct HomePage {
    frame: Frame,
    to_verify: Option<Listed>,
    in_process: Option<Listed>,
    can_create: bool,
    can_read_batches: bool,
    sections: Vec<super::worklist::Section>,
    /// What the viewer's own account still waits for: the certification, or an approval.
    account_notice: Option<AccountNotice>,
    acknowledged_now: bool,
    /// After manufacturing, by role: (id, heading, batches).
    queues: Vec<(&'static str, String, Listed)>,
}

pub struct AccountNotice {
    pub must_certify: bool,
    pub text: String,
}

/// The viewer's own account: not yet certified (a link to do it), or roles waiting for QA.
async fn account_notice(
    state: &actix_web::web::Data<crate::edge::AppState>,
    viewer: &Viewer,
) -> Result<Option<AccountNotice>, WebError> {
    let username = viewer.who.username.clone();
    let account = state
        .db
        .run(move |conn| crate::services::accounts::find_account(conn, &username))
        .await?;
    let tr = viewer.tr;
    if account.acknowledged_at.is_none() {
        return Ok(Some(AccountNotice {
            must_certify: true,
            text: tr.t("home-certify-notice"),
        }));
    }
    if !account.roles_pending.is_empty() {
        let roles = super::users::role_names(&account.roles_pending, tr);
        return Ok(Some(AccountNotice {
            must_certify: false,
            text: tr.t1("home-roles-pending-notice", "roles", &roles),
        }));
    }
    Ok(None)
}

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    acknowledged: Option<String>,
}

pub async fn home(request: PageRequest, query: actix_web::web::Query<HomeQuery>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    if viewer.who.must_change_password {
        return Ok(super::see_other("/password"));
    }
    let can_read_batches = viewer.can(Action::ReadBatches);
    let (to_verify, in_process) = if can_read_batches {
        let mine = summaries(state, viewer, waiting_for(viewer), PageSpec::default()).await?;
        let active = Filter::in_states(&[BatchState::InProcess]);
        let active = summaries(state, viewer, active, PageSpec::default()).await?;
        (
            Some(mine.or_see_all("/batches?pending=me")),
            Some(active.or_see_all("/batches?state=in_process")),
        )
    } else {
        (None, None)
    };
    let queues = super::worklist::queues(state, viewer).await?;
    let home = HomePage {
        frame: Frame::of(viewer, "/"),
        to_verify,
        in_process,
        can_create: viewer.can(Action::CreateBatch),
        can_read_batches,
        sections: super::worklist::sections(state, viewer).await?,
        account_notice: account_notice(state, viewer).await?,
        acknowledged_now: query.acknowledged.is_some(),
        queues,
    };
    Ok(page(viewer, StatusCode::OK, &home))
}
