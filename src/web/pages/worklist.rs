//! What waits for QC and QA on the work list: batches with QC testing to do, open deviations,
//! corrections waiting for approval. Each section lists links to where the work is done. And
//! the queues after manufacturing, by role: the QP's batches awaiting release, the batches to
//! ship, those on their way to or on the ward (which batches, `domain::batch::next::Queue`).

use actix_web::web;

use super::batch_list::{queue_id, summaries, Listed};
use crate::auth::Action;
use crate::domain::batch::next::Queue;
use crate::domain::batch::BatchState;
use crate::edge::AppState;
use crate::services::paging::{Page, PageSpec};
use crate::services::projections::batches::Filter;
use crate::web::session::Viewer;
use crate::web::WebError;

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub empty: String,
    /// (link, text)
    pub items: Vec<(String, String)>,
    /// Where the whole list is, and its count, when these items are only its first page.
    pub all: Option<(String, i64)>,
}

/// The whole list's address and count, when `page` is only its first page.
fn see_all<T>(page: &Page<T>, href: &str) -> Option<(String, i64)> {
    page.next.is_some().then(|| (href.to_owned(), page.total))
}

pub async fn sections(
    state: &web::Data<AppState>,
    viewer: &Viewer,
) -> Result<Vec<Section>, WebError> {
    let tr = viewer.tr;
    let mut sections = vec![];
    if viewer.can(Action::RecordQcResult) {
        let testing = Filter::in_states(&[BatchState::QcPending]);
        let testing = summaries(state, viewer, testing, PageSpec::default()).await?;
        let all = testing
            .all
            .is_some()
            .then(|| ("/batches?state=qc_pending".to_owned(), testing.total));
        let items = testing
            .lines
            .into_iter()
            .map(|b| {
                let text = format!("{} · {}", b.batch_number, b.patient_code);
                (format!("/batches/{}/qc", b.batch_number), text)
            })
            .collect();
        sections.push(Section {
            id: "work-qc",
            title: tr.t("work-qc"),
            empty: tr.t("work-nothing-qc"),
            items,
            all,
        });
    }
    if viewer.can(Action::SuperviseBatch) {
        let open = super::deviations::open_lines(state, viewer, PageSpec::default()).await?;
        let all = see_all(&open, "/deviations");
        let items = open
            .rows
            .into_iter()
            .map(|l| {
                let d = &l.deviation;
                let link = format!("/batches/{}/deviations#deviation-{}", l.batch_number, d.id);
                (
                    link,
                    format!(
                        "{} · {} {}: {}",
                        l.batch_number,
                        tr.t("deviation"),
                        d.id,
                        d.description
                    ),
                )
            })
            .collect();
        sections.push(Section {
            id: "work-deviations",
            title: tr.t("work-deviations"),
            empty: tr.t("deviations-none-open"),
            items,
            all,
        });
        let waiting = super::corrections::waiting_lines(state, viewer, PageSpec::default()).await?;
        let all = see_all(&waiting, "/corrections");
        let items = waiting
            .rows
            .into_iter()
            .map(|c| {
                let link = format!("/batches/{}/corrections", c.batch_number);
                let text = format!(
                    "{} · {} · {}: {}",
                    c.batch_number, c.field, c.status_label, c.value
                );
                (link, text)
            })
            .collect();
        sections.push(Section {
            id: "work-corrections",
            title: tr.t("work-corrections"),
            empty: tr.t("corrections-none-waiting"),
            items,
            all,
        });
    }
    Ok(sections)
}

/// The work-list queues after manufacturing, by role: (heading id, heading, the queue's first
/// page of batches).
pub async fn queues(
    state: &web::Data<AppState>,
    viewer: &Viewer,
) -> Result<Vec<(&'static str, String, Listed)>, WebError> {
    let mut queues = vec![];
    for queue in Queue::ALL {
        let action = match queue {
            Queue::AwaitingRelease => Action::CertifyBatch,
            Queue::ToShip => Action::ShipBatch,
            Queue::OnTheWard => Action::TreatPatient,
        };
        if !viewer.can(action) {
            continue;
        }
        let id = queue_id(queue);
        let filter = Filter::in_states(queue.states());
        let listed = summaries(state, viewer, filter, PageSpec::default()).await?;
        let all = format!("/batches?queue={id}");
        queues.push((
            id,
            viewer.tr.t(&format!("work-{id}")),
            listed.or_see_all(&all),
        ));
    }
    Ok(queues)
}
