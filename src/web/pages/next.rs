//! What waits after manufacturing, by role: the work-list queues (the QP's batches awaiting
//! release, the batches to ship, those on their way to or on the ward) and, on a batch's page,
//! the way to what the viewer may do next. Which batches wait for what is the domain's
//! (`domain::batch::next`); the domain still decides each action when it is submitted.

use actix_web::web;

use super::batches::{summaries, BatchLine};
use crate::auth::Action;
use crate::batches::BatchView;
use crate::domain::batch::next::{offered, Next, Queue, Standing};
use crate::projections::batches::Filter;
use crate::web::session::Viewer;
use crate::web::WebError;

/// The work-list queues after manufacturing, by role: (heading id, message id, batches).
pub async fn queues(
    state: &web::Data<crate::edge::AppState>,
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
            lines.extend(summaries(state, viewer, filter).await?);
        }
        queues.push((id, viewer.tr.t(&format!("work-{id}")), lines));
    }
    Ok(queues)
}

/// What the viewer may do next on this batch after manufacturing: (path, label, id).
pub fn next_actions(batch: &BatchView, viewer: &Viewer) -> Vec<(String, String, String)> {
    let number = &batch.batch_number;
    let after = &batch.after_manufacturing;
    let on_its_way = after.shipments.iter().find(|s| s.receipt.is_none());
    let standing = Standing {
        state: batch.state,
        decided: after.release.is_some(),
        shipment_on_its_way: on_its_way.is_some(),
    };
    offered(standing)
        .into_iter()
        .filter_map(|next| {
            let (action, path, id) = match next {
                Next::Review => (Action::ReviewBatch, "review".to_owned(), "review"),
                Next::PhysicianRequest => (
                    Action::RequestExceptionalRelease,
                    "physician-request".to_owned(),
                    "physician-request",
                ),
                Next::Ship => (Action::ShipBatch, "ship".to_owned(), "ship"),
                Next::Receive => (
                    Action::TreatPatient,
                    format!("shipments/{}/receive", on_its_way?.shipment_id),
                    "receive",
                ),
                Next::BedsideCheck => (Action::TreatPatient, "bedside".to_owned(), "bedside"),
                Next::Infusion => (Action::TreatPatient, "infusion".to_owned(), "infusion"),
                Next::FollowUp => (Action::TreatPatient, "follow-up".to_owned(), "follow-up"),
            };
            viewer.can(action).then(|| {
                (
                    format!("/batches/{number}/{path}"),
                    viewer.tr.t(&format!("next-{id}")),
                    format!("next-{id}"),
                )
            })
        })
        .collect()
}
