//! What waits for QC and QA on the work list: batches with QC testing to do, open deviations,
//! corrections waiting for approval. Each section lists links to where the work is done. And
//! the queues after manufacturing, by role: the QP's batches awaiting release, the batches to
//! ship, those on their way to or on the ward (which batches, `domain::batch::next::Queue`).

use actix_web::web;

use super::batches::BatchLine;
use crate::auth::Action;
use crate::domain::batch::next::Queue;
use crate::domain::batch::BatchState;
use crate::edge::AppState;
use crate::services::projections::batches::Filter;
use crate::web::session::Viewer;
use crate::web::WebError;

pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub empty: String,
    /// (link, text)
    pub items: Vec<(String, String)>,
}

pub async fn sections(
    state: &web::Data<AppState>,
    viewer: &Viewer,
) -> Result<Vec<Section>, WebError> {
    let tr = viewer.tr;
    let mut sections = vec![];
    if viewer.can(Action::RecordQcResult) {
        let testing = Filter {
            state: Some(BatchState::QcPending.as_str().to_owned()),
            ..Filter::default()
        };
        let items = super::batches::summaries(state, viewer, testing)
            .await?
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
        });
    }
    if viewer.can(Action::SuperviseBatch) {
        let items = super::deviations::open_lines(state, viewer)
            .await?
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
        });
        let items = super::corrections::waiting_lines(state, viewer)
            .await?
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
        });
    }
    Ok(sections)
}

/// The work-list queues after manufacturing, by role: (heading id, message id, batches).
pub async fn queues(
    state: &web::Data<AppState>,
    viewer: &Viewer,
) -> Result<Vec<(&'static str, String, Vec<BatchLine>)>, WebError> {
    let mut queues = vec![];
    for queue in Queue::ALL {
        let (action, id) = match queue {
            Queue::AwaitingRelease => (Action::CertifyBatch, "awaiting-release"),
            Queue::ToShip => (Action::ShipBatch, "to-ship"),
            Queue::OnTheWard => (Action::TreatPatient, "on-the-ward"),
        };
        if !viewer.can(action) {
            continue;
        }
        let mut lines = vec![];
        for batch_state in queue.states() {
            let filter = Filter {
                state: Some(batch_state.as_str().to_owned()),
                template: None,
                pending_for: None,
            };
            lines.extend(super::batches::summaries(state, viewer, filter).await?);
        }
        queues.push((id, viewer.tr.t(&format!("work-{id}")), lines));
    }
    Ok(queues)
}
