//! What waits after manufacturing, by role: the work-list queues (the QP's batches awaiting
//! release, the batches to ship, those on their way to or on the ward) and, on a batch's page,
//! the way to what the viewer may do next. The domain still decides each action.

use actix_web::web;

use super::batches::{summaries, BatchLine};
use crate::auth::Action;
use crate::batches::BatchView;
use crate::projections::batches::Filter;
use crate::web::session::Viewer;
use crate::web::WebError;

/// The work-list queues after manufacturing, by role: (heading id, message id, batches).
pub async fn queues(
    state: &web::Data<crate::edge::AppState>,
    viewer: &Viewer,
) -> Result<Vec<(&'static str, String, Vec<BatchLine>)>, WebError> {
    let mut queues = vec![];
    let wanted: [(Action, &str, &[&str]); 3] = [
        (
            Action::CertifyBatch,
            "awaiting-release",
            &["awaiting_release"],
        ),
        (
            Action::ShipBatch,
            "to-ship",
            &["released", "released_exceptionally"],
        ),
        (
            Action::TreatPatient,
            "on-the-ward",
            &["shipped", "received", "infused"],
        ),
    ];
    for (action, id, states) in wanted {
        if !viewer.can(action) {
            continue;
        }
        let mut lines = vec![];
        for state_name in states {
            let filter = Filter {
                state: Some((*state_name).to_owned()),
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
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let after = &batch.after_manufacturing;
    let mut next = vec![];
    let mut add = |action: Action, when: bool, path: String, id: &str| {
        if when && viewer.can(action) {
            next.push((path, tr.t(&format!("next-{id}")), format!("next-{id}")));
        }
    };
    let state = batch.state;
    add(
        Action::ReviewBatch,
        matches!(state, "qc_pending" | "awaiting_release") || after.release.is_some(),
        format!("/batches/{number}/review"),
        "review",
    );
    add(
        Action::RequestExceptionalRelease,
        state == "awaiting_release",
        format!("/batches/{number}/physician-request"),
        "physician-request",
    );
    add(
        Action::ShipBatch,
        matches!(state, "released" | "released_exceptionally"),
        format!("/batches/{number}/ship"),
        "ship",
    );
    let open = after.shipments.iter().find(|s| s.receipt.is_none());
    if let Some(shipment) = open {
        let id = shipment.shipment_id;
        add(
            Action::TreatPatient,
            true,
            format!("/batches/{number}/shipments/{id}/receive"),
            "receive",
        );
    }
    let received = state == "received";
    add(
        Action::TreatPatient,
        received,
        format!("/batches/{number}/bedside"),
        "bedside",
    );
    add(
        Action::TreatPatient,
        received,
        format!("/batches/{number}/infusion"),
        "infusion",
    );
    add(
        Action::TreatPatient,
        state == "infused",
        format!("/batches/{number}/follow-up"),
        "follow-up",
    );
    next
}
