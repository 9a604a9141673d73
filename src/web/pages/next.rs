//! On a batch's page, the way to what the viewer may do next after manufacturing. What a batch
//! waits for is the domain's (`domain::batch::next`); the domain still decides each action
//! when it is submitted.

use crate::auth::Action;
use crate::domain::batch::next::{offered, Next, Standing};
use crate::services::batches::BatchView;
use crate::web::session::Viewer;

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
