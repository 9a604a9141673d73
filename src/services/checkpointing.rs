//! When checkpoints are signed: on demand, and in the background every N entries or T
//! seconds. The rules of signing (consistency with every checkpoint signed before, the copy
//! outside the database) are in `ledger::checkpoints`.

use std::path::PathBuf;
use std::time::Duration;

use crate::db::DbConn;
use crate::error::ServiceError;
use crate::keys::NoteSigner;
use crate::ledger::checkpoints::{self, Signed, Signing};

pub struct Checkpointing {
    pub signer: std::sync::Arc<NoteSigner>,
    pub origin: String,
    pub dir: PathBuf,
    pub every_entries: u64,
    pub every_seconds: u64,
}

impl Checkpointing {
    fn signing(&self) -> Signing<'_> {
        Signing {
            signer: &self.signer,
            origin: &self.origin,
            dir: Some(&self.dir),
        }
    }

    /// What the service verifies its ledger against: its key, and the checkpoints and tree
    /// head kept outside the database.
    pub fn evidence(&self) -> crate::ledger::Evidence {
        crate::ledger::Evidence {
            vkey: self.signer.vkey(),
            origin: self.origin.clone(),
            outside: Some(self.dir.clone()),
            trusted: None,
        }
    }

    /// The verifier key, in signed-note `vkey` form.
    pub fn vkey(&self) -> String {
        self.signer.vkey()
    }

    /// A checkpoint of the ledger as it is now (the newest one if it already covers it), once
    /// the whole ledger has verified (outside the append lock, so that writers go on
    /// meanwhile): a checkpoint is never signed over a ledger that does not verify, and a
    /// ledger that fails makes the instance read-only.
    pub fn sign_now(&self, conn: &mut DbConn) -> Result<Signed, ServiceError> {
        let verdict = crate::ledger::audit(conn, &self.evidence())?;
        if let Some((seq, reason)) = verdict.first_failure() {
            if let Some(sealer) = crate::ledger::heads::current() {
                sealer.trust().distrust(seq, reason.clone());
            }
            return Err(crate::ledger::LedgerError::CheckpointInconsistent(reason).into());
        }
        Ok(checkpoints::sign(conn, &self.signing())?)
    }

    /// Signs when N entries or T seconds have passed since the last checkpoint.
    pub fn sign_if_due(&self, conn: &mut DbConn) -> Result<Option<Signed>, ServiceError> {
        let last = checkpoints::latest(conn)?;
        let size = crate::ledger::size(conn)?;
        let (last_size, age) = match &last {
            Some(last) => (last.size, age_in_seconds(&last.signed_at)),
            None => (0, u64::MAX),
        };
        let grown = size.saturating_sub(last_size);
        let due = (self.every_entries > 0 && grown >= self.every_entries)
            || (self.every_seconds > 0 && grown > 0 && age >= self.every_seconds);
        if !due {
            return Ok(None);
        }
        self.sign_now(conn).map(Some)
    }

    /// How often the background signer looks: often enough for `every_seconds`.
    pub fn tick(&self) -> Option<Duration> {
        if self.every_entries == 0 && self.every_seconds == 0 {
            return None;
        }
        let seconds = if self.every_seconds == 0 {
            5
        } else {
            self.every_seconds.clamp(1, 5)
        };
        Some(Duration::from_secs(seconds))
    }
}

fn age_in_seconds(signed_at: &str) -> u64 {
    chrono::DateTime::parse_from_rfc3339(signed_at)
        .map(|at| {
            let age = chrono::Utc::now().signed_duration_since(at);
            u64::try_from(age.num_seconds()).unwrap_or(0)
        })
        .unwrap_or(u64::MAX)
}
