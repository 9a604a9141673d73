//! What a batch waits for after manufacturing, and so what its page offers and which
//! work-list it is on: the QP's review and decision, the treating physician's request for an
//! out-of-specification product, dispatch, receipt, the bedside check, infusion and
//! follow-up. Offering is not allowing: each of these is decided by its own rule when it is
//! submitted (`release`, `custody`).

use super::BatchState;

/// A write that may come next on a batch after manufacturing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The QP's review of the whole record (and, once decided, reading it again).
    Review,
    /// The treating physician asks for a product that is out of specification.
    PhysicianRequest,
    Ship,
    /// A shipment on its way arrives at the ward.
    Receive,
    BedsideCheck,
    Infusion,
    FollowUp,
}

/// What the batch's record says that decides what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub state: BatchState,
    /// The QP has decided (released, released exceptionally or rejected).
    pub decided: bool,
    /// A shipment was dispatched and has not been received.
    pub shipment_on_its_way: bool,
}

/// What may come next, in the order a batch goes through them.
pub fn offered(batch: Standing) -> Vec<Next> {
    use BatchState as S;
    let state = batch.state;
    [
        (
            Next::Review,
            matches!(state, S::QcPending | S::AwaitingRelease) || batch.decided,
        ),
        (Next::PhysicianRequest, state == S::AwaitingRelease),
        (Next::Ship, is_to_ship(state)),
        (Next::Receive, batch.shipment_on_its_way),
        (Next::BedsideCheck, state == S::Received),
        (Next::Infusion, state == S::Received),
        (Next::FollowUp, state == S::Infused),
    ]
    .into_iter()
    .filter_map(|(next, when)| when.then_some(next))
    .collect()
}

fn is_to_ship(state: BatchState) -> bool {
    matches!(
        state,
        BatchState::Released | BatchState::ReleasedExceptionally
    )
}

/// The work-lists after manufacturing, each of the batches in some states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Every QC result verified: the QP certifies or rejects.
    AwaitingRelease,
    /// Certified, not yet dispatched.
    ToShip,
    /// On its way to the ward, there, or given and followed up.
    OnTheWard,
}

impl Queue {
    pub const ALL: [Queue; 3] = [Queue::AwaitingRelease, Queue::ToShip, Queue::OnTheWard];

    pub fn states(self) -> &'static [BatchState] {
        match self {
            Queue::AwaitingRelease => &[BatchState::AwaitingRelease],
            Queue::ToShip => &[BatchState::Released, BatchState::ReleasedExceptionally],
            Queue::OnTheWard => &[
                BatchState::Shipped,
                BatchState::Received,
                BatchState::Infused,
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(state: BatchState) -> Standing {
        Standing {
            state,
            decided: false,
            shipment_on_its_way: false,
        }
    }

    #[test]
    fn each_state_offers_what_it_waits_for() {
        assert_eq!(offered(standing(BatchState::InProcess)), vec![]);
        assert_eq!(offered(standing(BatchState::QcPending)), vec![Next::Review]);
        assert_eq!(
            offered(standing(BatchState::AwaitingRelease)),
            vec![Next::Review, Next::PhysicianRequest]
        );
        let released = Standing {
            decided: true,
            ..standing(BatchState::Released)
        };
        assert_eq!(offered(released), vec![Next::Review, Next::Ship]);
        let shipped = Standing {
            decided: true,
            shipment_on_its_way: true,
            ..standing(BatchState::Shipped)
        };
        assert_eq!(offered(shipped), vec![Next::Review, Next::Receive]);
        let received = Standing {
            decided: true,
            ..standing(BatchState::Received)
        };
        assert_eq!(
            offered(received),
            vec![Next::Review, Next::BedsideCheck, Next::Infusion]
        );
        let infused = Standing {
            decided: true,
            ..standing(BatchState::Infused)
        };
        assert_eq!(offered(infused), vec![Next::Review, Next::FollowUp]);
        assert_eq!(offered(standing(BatchState::OnHold)), vec![]);
    }

    #[test]
    fn every_state_after_release_but_the_end_is_on_one_queue() {
        for state in BatchState::ALL {
            let queues = Queue::ALL
                .into_iter()
                .filter(|q| q.states().contains(&state))
                .count();
            let expected = matches!(
                state,
                BatchState::AwaitingRelease
                    | BatchState::Released
                    | BatchState::ReleasedExceptionally
                    | BatchState::Shipped
                    | BatchState::Received
                    | BatchState::Infused
            );
            assert_eq!(queues, usize::from(expected), "{state:?}");
            assert_eq!(BatchState::parse(state.as_str()), Some(state));
        }
    }
}
