//! The work list: what waits for the signed-in person, by their roles.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::batches::{summaries, BatchLine};
use super::page;
use crate::auth::Action;
use crate::projections::batches::Filter;
use crate::web::frame::Frame;
use crate::web::session::{self, Viewer};
use crate::web::WebError;

#[derive(Template)]
#[template(path = "ui/home.html")]
struct HomePage {
    frame: Frame,
    to_verify: Vec<BatchLine>,
    in_process: Vec<BatchLine>,
    can_create: bool,
    can_read_batches: bool,
    /// After manufacturing, by role: (id, heading, batches).
    queues: Vec<(&'static str, String, Vec<BatchLine>)>,
}

pub async fn home(req: HttpRequest) -> Result<HttpResponse, WebError> {
    let viewer = Viewer::from_request(&req).await?;
    if viewer.who.must_change_password {
        return Ok(super::see_other("/password"));
    }
    let state = session::state(&req)?;
    let can_read_batches = viewer.can(Action::ReadBatches);
    let (to_verify, in_process) = if can_read_batches {
        let mine = Filter {
            state: None,
            template: None,
            pending_for: Some((
                viewer.who.username.as_str().to_owned(),
                viewer
                    .who
                    .roles
                    .names()
                    .iter()
                    .map(|r| (*r).to_owned())
                    .collect(),
            )),
        };
        let active = Filter {
            state: Some("in_process".to_owned()),
            template: None,
            pending_for: None,
        };
        (
            summaries(&state, &viewer, mine).await?,
            summaries(&state, &viewer, active).await?,
        )
    } else {
        (vec![], vec![])
    };
    let queues = super::next::queues(&state, &viewer).await?;
    let home = HomePage {
        frame: Frame::of(&viewer, "/"),
        to_verify,
        in_process,
        can_create: viewer.can(Action::CreateBatch),
        can_read_batches,
        queues,
    };
    Ok(page(&viewer, StatusCode::OK, &home))
}

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.route("/", actix_web::web::get().to(home));
}
