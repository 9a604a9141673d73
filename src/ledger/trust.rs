//! Whether this instance still trusts its ledger. Once a check finds the ledger not what cartrec
//! wrote (an entry no signed head covers, a removed tail, a rewritten history, a lock row or a
//! Merkle node changed around cartrec, a `users` row edited), the instance stops writing and
//! signing: every write is refused with `ledger_unverified`, naming the first bad entry. Reads
//! go on, so that QA and auditors can investigate.
//!
//! The distrust is kept in a file of the data directory (0600) as well as in memory, so a
//! restart does not forget it, and someone with access to the database only cannot end it.
//! When the ledger verifies in full again (restored from a backup, a row put right), the
//! instance still writes nothing but sign-ins and the incident record
//! (`domain::incident::writable_while_recovering`) until QA has recorded the incident and an
//! administrator has confirmed it (`crate::services::incidents`); only then is the distrust lifted.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::LedgerError;

/// Why the ledger is not trusted, from the first check that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distrust {
    /// The first entry found wrong (or where the missing ones begin).
    pub seq: i64,
    pub reason: String,
    /// When this instance stopped trusting it (server clock, RFC 3339).
    pub since: String,
    /// When the ledger last verified in full since then, with nothing failing after: the
    /// incident may be recorded. Never kept across a restart: a restarted instance verifies
    /// again first.
    #[serde(skip)]
    pub verified_at: Option<String>,
}

#[derive(Default)]
pub struct Trust {
    distrust: Mutex<Option<Distrust>>,
    /// Where the distrust is kept across restarts (`None`: in memory only, for tools).
    kept_in: Option<PathBuf>,
}

impl Trust {
    /// The trust of an instance whose distrust is kept in `path`: distrusted from the start if
    /// the file says so. A file that cannot be read is distrust too (fail closed).
    pub fn kept_in(path: &Path) -> Trust {
        let distrust = match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(unreadable(path, &e.to_string())),
            Ok(bytes) => Some(
                serde_json::from_slice::<Distrust>(&bytes)
                    .unwrap_or_else(|e| unreadable(path, &e.to_string())),
            ),
        };
        if let Some(distrust) = &distrust {
            crate::metrics::ledger_distrusted();
            tracing::error!(
                seq = distrust.seq,
                reason = %distrust.reason,
                since = %distrust.since,
                "LEDGER UNVERIFIED since before this start: this instance writes nothing until \
                 the ledger verifies and QA and an administrator have recorded the incident"
            );
        }
        let trust = Trust {
            distrust: Mutex::new(distrust),
            kept_in: Some(path.to_owned()),
        };
        // An unreadable record is replaced by the distrust it stands for, so that this finding
        // (and the incident recorded for it) is the same after the next restart.
        if let Some(distrust) = trust.current().filter(|d| d.reason.contains(UNREADABLE)) {
            trust.keep(Some(&distrust));
        }
        trust
    }

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

    /// At the append lock: refuses every write while the ledger is not trusted, unless it has
    /// verified again since (then [`Trust::ensure_allows`] decides, entry by entry).
    pub fn ensure(&self) -> Result<(), LedgerError> {
        match &*self.state() {
            None => Ok(()),
            Some(distrust) if distrust.verified_at.is_some() => Ok(()),
            Some(distrust) => Err(unverified(distrust)),
        }
    }

    /// Refuses what only a trusted instance does that appends no entry: signing a checkpoint.
    pub fn ensure_trusted(&self) -> Result<(), LedgerError> {
        match &*self.state() {
            None => Ok(()),
            Some(distrust) if distrust.verified_at.is_some() => Err(LedgerError::IncidentOpen {
                seq: distrust.seq,
                reason: distrust.reason.clone(),
            }),
            Some(distrust) => Err(unverified(distrust)),
        }
    }

    /// At each append: while the incident is open, only what recording it needs.
    pub fn ensure_allows(&self, stream: &str, kind: &str) -> Result<(), LedgerError> {
        match &*self.state() {
            None => Ok(()),
            Some(distrust) if distrust.verified_at.is_none() => Err(unverified(distrust)),
            Some(_) if crate::domain::incident::writable_while_recovering(stream, kind) => Ok(()),
            Some(distrust) => Err(LedgerError::IncidentOpen {
                seq: distrust.seq,
                reason: distrust.reason.clone(),
            }),
        }
    }

    /// Stops trusting the ledger (the first reason found is kept; a ledger that verified again
    /// is no longer taken to) and raises the alarm: an error in the log and a metric; the web
    /// UI shows a banner. Returns the refusal to give.
    pub fn distrust(&self, seq: i64, reason: String) -> LedgerError {
        let mut state = self.state();
        match &mut *state {
            None => {
                tracing::error!(
                    seq,
                    %reason,
                    "LEDGER UNVERIFIED: the ledger is not what cartrec wrote; this instance \
                     refuses every write and signature until it verifies again and the incident \
                     is recorded"
                );
                crate::metrics::ledger_distrusted();
                let distrust = Distrust {
                    seq,
                    reason,
                    since: super::format_recorded_at(chrono::Utc::now()),
                    verified_at: None,
                };
                self.keep(Some(&distrust));
                let refusal = unverified(&distrust);
                *state = Some(distrust);
                refusal
            }
            Some(known) if known.verified_at.is_some() => {
                // A failure after the ledger verified again is a new finding, with an incident
                // of its own: the record of the first one does not cover it.
                tracing::error!(seq, %reason, "LEDGER UNVERIFIED again, after it verified");
                crate::metrics::ledger_distrusted();
                *known = Distrust {
                    seq,
                    reason,
                    since: super::format_recorded_at(chrono::Utc::now()),
                    verified_at: None,
                };
                self.keep(Some(known));
                unverified(known)
            }
            Some(known) => unverified(known),
        }
    }

    /// A full verification passed (ledger and `users` rows): while distrusted, the incident may
    /// now be recorded. Returns the distrust it applies to.
    pub fn verified_again(&self) -> Option<Distrust> {
        let mut state = self.state();
        let distrust = state.as_mut()?;
        if distrust.verified_at.is_none() {
            distrust.verified_at = Some(super::format_recorded_at(chrono::Utc::now()));
            tracing::warn!(
                seq = distrust.seq,
                "the ledger verifies again; writing resumes once QA and an administrator have \
                 recorded the incident"
            );
        }
        Some(distrust.clone())
    }

    /// Trusts the ledger again, once the incident of `resolved` is confirmed (and only if it
    /// is the distrust still held, verified since).
    pub fn resume(&self, resolved: &Distrust) -> bool {
        let mut state = self.state();
        let matches = state.as_ref().is_some_and(|d| {
            d.verified_at.is_some()
                && (d.seq, &d.reason, &d.since) == (resolved.seq, &resolved.reason, &resolved.since)
        });
        if matches {
            *state = None;
            self.keep(None);
            tracing::warn!(
                seq = resolved.seq,
                "the ledger incident is recorded and confirmed: this instance writes again"
            );
        }
        matches
    }

    /// Writes the distrust to its file (or removes it), durably. A failure is logged: the
    /// instance stays read-only in memory whatever the disk does.
    fn keep(&self, distrust: Option<&Distrust>) {
        let Some(path) = &self.kept_in else {
            return;
        };
        let done = match distrust {
            Some(distrust) => serde_json::to_vec_pretty(distrust)
                .map_err(std::io::Error::other)
                .and_then(|bytes| crate::private_files::write_durably(path, &bytes)),
            None => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        if let Err(error) = done {
            tracing::error!(%error, path = %path.display(), "the ledger's distrust was not kept on disk");
        }
    }
}

const UNREADABLE: &str = "could not be read";

fn unreadable(path: &Path, why: &str) -> Distrust {
    Distrust {
        seq: 0,
        reason: format!(
            "the record of an earlier distrust ({}) {UNREADABLE}: {why}",
            path.display()
        ),
        since: super::format_recorded_at(chrono::Utc::now()),
        verified_at: None,
    }
}

fn unverified(distrust: &Distrust) -> LedgerError {
    LedgerError::Unverified {
        seq: distrust.seq,
        reason: distrust.reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-LED-15
    #[test]
    fn the_distrust_survives_a_restart_and_is_lifted_only_after_it_verified_again() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ledger-distrust.json");
        let trust = Trust::kept_in(&path);
        assert!(trust.is_trusted());
        trust.distrust(12, "entry 12 is covered by no signed head".to_owned());
        let restarted = Trust::kept_in(&path);
        let kept = restarted.current().expect("kept across the restart");
        assert_eq!(kept.seq, 12);
        assert!(kept.verified_at.is_none(), "a restart verifies again first");
        assert!(matches!(
            restarted.ensure(),
            Err(LedgerError::Unverified { seq: 12, .. })
        ));
        assert!(!restarted.resume(&kept), "not before it verified again");

        let verified = restarted.verified_again().expect("distrusted");
        restarted
            .ensure()
            .expect("the lock may be taken while recovering");
        restarted
            .ensure_allows("user/quinn", "user.login_succeeded")
            .expect("sign-in");
        assert!(matches!(
            restarted.ensure_allows("batch/CT-2026-0001", "batch.created"),
            Err(LedgerError::IncidentOpen { .. })
        ));
        restarted.distrust(30, "another failure".to_owned());
        assert!(
            restarted.ensure().is_err(),
            "a new failure undoes the verification"
        );
        let renewed = restarted.current().expect("still");
        assert_eq!(
            renewed.seq, 30,
            "a failure after it verified is a new finding"
        );
        restarted.distrust(31, "the same failure found again".to_owned());
        assert_eq!(restarted.current().expect("still").seq, 30, "first kept");
        restarted.verified_again();
        assert!(
            !restarted.resume(&verified),
            "the incident of the first finding does not cover the second"
        );
        assert!(restarted.resume(&renewed));
        assert!(restarted.is_trusted());
        assert!(!path.exists(), "lifted on disk too");
    }

    /// Covers: GMP-LED-15
    #[test]
    fn an_unreadable_record_of_distrust_is_distrust() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("ledger-distrust.json");
        std::fs::write(&path, b"{ not json").expect("written");
        let trust = Trust::kept_in(&path);
        let distrust = trust.current().expect("fail closed");
        assert!(distrust.reason.contains(UNREADABLE), "{}", distrust.reason);
        let again = Trust::kept_in(&path).current().expect("still distrusted");
        assert_eq!(again, distrust, "the same finding after the next restart");
    }
}
