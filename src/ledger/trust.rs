//! Whether this instance still trusts its ledger. Once a check finds the ledger not what cartrec
//! wrote (an entry no signed head covers, a removed tail, a rewritten history, a lock row or a
//! Merkle node changed around cartrec), the instance stops writing and signing: every write is
//! refused with `ledger_unverified`, naming the first bad entry, until the ledger verifies
//! again after a restart (or is restored from a backup). Reads go on, so that QA and auditors
//! can investigate.

use std::sync::{Mutex, PoisonError};

use super::LedgerError;

/// Why the ledger is not trusted, from the first check that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distrust {
    /// The first entry found wrong (or where the missing ones begin).
    pub seq: i64,
    pub reason: String,
    /// When this instance stopped trusting it (server clock, RFC 3339).
    pub since: String,
}

#[derive(Default)]
pub struct Trust {
    distrust: Mutex<Option<Distrust>>,
}

impl Trust {
    fn state(&self) -> std::sync::MutexGuard<'_, Option<Distrust>> {
        self.distrust.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Why the ledger is not trusted, or `None` while it is.
    pub fn current(&self) -> Option<Distrust> {
        self.state().clone()
    }

    pub fn is_trusted(&self) -> bool {
        self.state().is_none()
    }

    /// Refuses a write while the ledger is not trusted.
    pub fn ensure(&self) -> Result<(), LedgerError> {
        match &*self.state() {
            None => Ok(()),
            Some(distrust) => Err(LedgerError::Unverified {
                seq: distrust.seq,
                reason: distrust.reason.clone(),
            }),
        }
    }

    /// Stops trusting the ledger (the first reason found is kept) and raises the alarm: an
    /// error in the log and a metric; the web UI shows a banner. Returns the refusal to give.
    pub fn distrust(&self, seq: i64, reason: String) -> LedgerError {
        let mut state = self.state();
        if state.is_none() {
            tracing::error!(
                seq,
                %reason,
                "LEDGER UNVERIFIED: the ledger is not what cartrec wrote; this instance refuses \
                 every write and signature until it verifies again"
            );
            crate::metrics::ledger_distrusted();
            *state = Some(Distrust {
                seq,
                reason,
                since: super::format_recorded_at(chrono::Utc::now()),
            });
        }
        let distrust = state
            .as_ref()
            .map_or((seq, String::new()), |d| (d.seq, d.reason.clone()));
        LedgerError::Unverified {
            seq: distrust.0,
            reason: distrust.1,
        }
    }
}
