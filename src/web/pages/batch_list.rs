//! The batch list, one page at a time, filtered by state (or a work-list queue), treating
//! site, the days batches were started on and the verifications waiting for the viewer; and
//! the first page of a filter for the home page's lists, with a link to the rest.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::page;
use crate::auth::Action;
use crate::domain::batch::next::Queue;
use crate::domain::batch::BatchState;
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::paging::{DayRange, PageError, PageSpec};
use crate::services::projections::batches::{self as rows, Filter};
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, Viewer};
use crate::web::{Answer, WebError};

/// A batch in a list, as people read it.
pub struct BatchLine {
    pub batch_number: String,
    pub patient_code: String,
    pub treating_site: String,
    pub state: String,
    pub deviations: i32,
}

/// One page of a list of batches.
pub struct Listed {
    pub lines: Vec<BatchLine>,
    /// Every batch the filter matches.
    pub total: i64,
    /// The cursor of the next page, if any.
    pub next: Option<String>,
    /// Where the whole list is, when this is a first page with more after it.
    pub all: Option<String>,
}

impl Listed {
    /// This first page, linked to the whole list at `href` when more follow.
    pub fn or_see_all(mut self, href: &str) -> Listed {
        self.all = self.next.is_some().then(|| href.to_owned());
        self
    }
}

/// One page of the batches `filter` matches.
pub async fn summaries(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    filter: Filter,
    page: PageSpec,
) -> Result<Listed, WebError> {
    let found = state
        .db
        .run(move |conn| rows::list(conn, &filter, &page).map_err(AppError::from))
        .await?;
    Ok(Listed {
        total: found.total,
        next: found.next,
        all: None,
        lines: found
            .rows
            .into_iter()
            .map(|row| BatchLine {
                state: viewer.tr.t(&format!("state-{}", row.state)),
                batch_number: row.batch_number,
                patient_code: row.patient_code,
                treating_site: row.treating_site,
                deviations: row.open_deviations,
            })
            .collect(),
    })
}

/// The batches waiting for this viewer's verification (of a role they hold, performed by
/// someone else).
pub fn waiting_for(viewer: &Viewer) -> Filter {
    let roles = viewer.who.roles.names().into_iter().map(str::to_owned);
    Filter {
        pending_for: Some((viewer.who.username.as_str().to_owned(), roles.collect())),
        ..Filter::default()
    }
}

/// The work list's queue a link names (`queue=to-ship`).
pub fn queue_id(queue: Queue) -> &'static str {
    match queue {
        Queue::AwaitingRelease => "awaiting-release",
        Queue::ToShip => "to-ship",
        Queue::OnTheWard => "on-the-ward",
    }
}

/// The filter as typed into the list's form (or a link), kept as typed.
#[derive(Deserialize, Default)]
pub struct ListForm {
    #[serde(default)]
    state: String,
    #[serde(default)]
    queue: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    pending: String,
    #[serde(default)]
    cursor: String,
}

impl ListForm {
    /// The filter and page, or the field that is wrong and why (in the viewer's language).
    fn parse(&self, viewer: &Viewer) -> Result<(Filter, PageSpec), (&'static str, String)> {
        let tr = viewer.tr;
        let mut filter = if self.pending == "me" {
            waiting_for(viewer)
        } else {
            Filter::default()
        };
        if !self.state.is_empty() {
            let state = BatchState::parse(&self.state)
                .ok_or(("state", tr.t("batches-filter-unknown-state")))?;
            filter.states = vec![state.as_str().to_owned()];
        }
        if !self.queue.is_empty() {
            let queue = Queue::ALL
                .into_iter()
                .find(|q| queue_id(*q) == self.queue)
                .ok_or(("state", tr.t("batches-filter-unknown-state")))?;
            filter.states = queue
                .states()
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect();
        }
        filter.site = Some(self.site.trim().to_owned()).filter(|s| !s.is_empty());
        filter.started =
            DayRange::parse(Some(&self.from), Some(&self.to)).map_err(|e| match e {
                PageError::Date { field, .. } => (field, tr.t("batches-filter-date")),
                _ => ("to", tr.t("batches-filter-reversed")),
            })?;
        let page = PageSpec::parse(None, Some(&self.cursor))
            .map_err(|_| ("cursor", tr.t("list-cursor-invalid")))?;
        Ok((filter, page))
    }

    /// This list's address on the page after `cursor`.
    fn next_page(&self, cursor: &str) -> String {
        let pairs = [
            ("state", self.state.as_str()),
            ("queue", self.queue.as_str()),
            ("site", self.site.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("pending", self.pending.as_str()),
            ("cursor", cursor),
        ];
        let given: Vec<_> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/batches?{}",
            serde_urlencoded::to_string(given).unwrap_or_default()
        )
    }
}

#[derive(Template)]
#[template(path = "ui/batches.html")]
struct ListPage {
    frame: Frame,
    listed: Listed,
    form: ListForm,
    /// (value, label) of every state.
    states: Vec<(String, String)>,
    /// The field the filter is wrong in, and why.
    error: Option<(&'static str, String)>,
    count: String,
    /// Whether any filter is set (an empty list then says that nothing matches).
    filtered: bool,
    next_page: Option<String>,
    first_page: Option<String>,
    can_create: bool,
}

impl ListPage {
    fn error_at(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(at, _)| *at == field)
            .map(|(_, message)| message.as_str())
    }
}

pub async fn list(request: PageRequest, form: web::Query<ListForm>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let form = form.into_inner();
    let tr = viewer.tr;
    let parsed = form.parse(viewer);
    let (listed, error) = match &parsed {
        Ok((filter, page)) => (
            summaries(state, viewer, filter.clone(), page.clone()).await?,
            None,
        ),
        Err(error) => {
            let none = Listed {
                lines: vec![],
                total: 0,
                next: None,
                all: None,
            };
            (none, Some(error.clone()))
        }
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let first_page = (!form.cursor.is_empty()).then(|| form.next_page(""));
    let filtered = form.next_page("") != "/batches?";
    let shown = ListPage {
        frame: Frame::of(viewer, "/batches"),
        count: tr.t1("batches-count", "count", &listed.total.to_string()),
        next_page: listed.next.as_deref().map(|next| form.next_page(next)),
        first_page,
        filtered,
        states: BatchState::ALL
            .into_iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    tr.t(&format!("state-{}", s.as_str())),
                )
            })
            .collect(),
        listed,
        form,
        error,
        can_create: viewer.can(Action::CreateBatch),
    };
    Ok(page(viewer, status, &shown))
}
