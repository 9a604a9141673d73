//! When the service checks its own ledger, and what it does when the ledger fails: at start-up
//! a quick check before anything is served (the newest signed head against the ledger's end and
//! the copies outside the database), then the whole verification in the background right away
//! and again every `verify_every_minutes`; before each checkpoint the append path checks the
//! head again. On any failure the instance stops trusting its ledger (`ledger::Trust`): it
//! refuses every write and signature, logs the error, counts it in the metrics and shows a
//! banner to QA, admins and auditors. A background copier keeps the newest committed tree head
//! in `checkpoint_dir`, at most a moment behind the database (see [`COPY_EVERY`]).

use std::sync::Arc;
use std::time::Duration;

use crate::db::DbConn;
use crate::error::ServiceError;
use crate::ledger::audit::{self, Evidence, StartCheck};
use crate::ledger::{self, Sealer};
use crate::runner::Db;

/// How often the copier looks for a newly committed head: the most the copy outside the
/// database lags behind it (plus one write of a small file).
pub const COPY_EVERY: Duration = Duration::from_millis(250);

/// The quick check at start-up; adopts a ledger written before tree heads were signed once it
/// verifies in full. Never fails the start for what it finds: a ledger that does not verify
/// makes the instance read-only, so that QA and auditors can still read and investigate it.
pub async fn check_at_start(db: &Db, evidence: &Evidence) -> Result<(), ServiceError> {
    let Some(sealer) = db.sealer().cloned() else {
        return Ok(());
    };
    let evidence = evidence.clone();
    db.run(move |conn| check_now(conn, &sealer, &evidence))
        .await
}

/// The same check for a command-line tool about to write (`cartrec user approve`, …).
pub fn check_before_writing(
    conn: &mut DbConn,
    sealer: &Sealer,
    evidence: &Evidence,
) -> Result<(), ServiceError> {
    check_now(conn, sealer, evidence)
}

fn check_now(conn: &mut DbConn, sealer: &Sealer, evidence: &Evidence) -> Result<(), ServiceError> {
    check_ledger(conn, sealer, evidence)?;
    if sealer.trust().is_trusted() {
        let sealed = crate::services::accounts::audit::adopt_unsealed(conn)?;
        if sealed > 0 {
            tracing::info!(
                sealed,
                "sealed the users rows written before rows were sealed"
            );
        }
    }
    Ok(())
}

fn check_ledger(
    conn: &mut DbConn,
    sealer: &Sealer,
    evidence: &Evidence,
) -> Result<(), ServiceError> {
    match audit::quick_check(conn, sealer)? {
        Ok(StartCheck::Empty) => Ok(()),
        Ok(StartCheck::Trusted { size }) => {
            // Subtrees of entries that predate the Merkle tree (never ones a head contradicts:
            // the full verification compares every head with the tree recomputed).
            let stored = ledger::catch_up_tree(conn)?;
            if stored > 0 {
                tracing::info!(stored, "stored the missing Merkle subtrees");
            }
            tracing::info!(size, "the ledger ends at its newest signed tree head");
            Ok(())
        }
        Ok(StartCheck::Unsealed { size }) => adopt(conn, sealer, evidence, size),
        Err((seq, reason)) => {
            sealer.trust().distrust(seq, reason);
            Ok(())
        }
    }
}

/// A ledger from before signed tree heads: verified in full (chain, tree, stored checkpoints,
/// the checkpoints outside), then covered by one head. Logged, as the upgrade's one act of trust.
fn adopt(
    conn: &mut DbConn,
    sealer: &Sealer,
    evidence: &Evidence,
    size: u64,
) -> Result<(), ServiceError> {
    ledger::catch_up_tree(conn)?;
    let mut unsealed = evidence.clone();
    unsealed.trusted = None;
    let report = ledger::verify(conn)?;
    if let Some(failure) = &report.failure {
        sealer.trust().distrust(failure.seq, failure.reason.clone());
        return Ok(());
    }
    let verdict = audit::audit_without_heads(conn, &unsealed, report)?;
    if let Some(failure) = verdict.failure {
        sealer.trust().distrust(0, failure);
        return Ok(());
    }
    let head = audit::adopt(conn, sealer)?;
    tracing::warn!(
        size,
        signed = head.size,
        "the ledger had no signed tree head (written before they were signed): it verified in \
         full and its {size} entries are now covered by a signed head"
    );
    Ok(())
}

/// What the watchers need of the running server: its database and the evidence outside it.
pub trait Watched: Send + Sync + 'static {
    fn db(&self) -> &Db;
    fn evidence(&self) -> Evidence;
}

/// Starts the background verifier and the copier of heads, for as long as the server's state
/// lives (each thread holds only a weak reference to it, so that both end with the server).
pub fn watch<S: Watched>(state: &Arc<S>, every_minutes: u64) {
    if state.db().sealer().is_none() {
        return;
    }
    let weak = Arc::downgrade(state);
    spawn("ledger-heads-copier", move || loop {
        std::thread::sleep(COPY_EVERY);
        let Some(state) = weak.upgrade() else {
            return;
        };
        let Some(sealer) = state.db().sealer() else {
            return;
        };
        if let Err(error) = state.db().run_here(|conn| sealer.copy_outside(conn)) {
            tracing::error!(%error, "the newest tree head was not copied outside the database");
        }
    });
    let weak = Arc::downgrade(state);
    spawn("ledger-verifier", move || {
        let every = Duration::from_secs(every_minutes.saturating_mul(60));
        let mut due = Some(std::time::Instant::now());
        loop {
            // Woken every second, so that the thread ends soon after the server.
            let Some(state) = weak.upgrade() else {
                return;
            };
            if due.is_some_and(|due| due <= std::time::Instant::now()) {
                if let Some(sealer) = state.db().sealer() {
                    verify_in_full(state.db(), sealer, &state.evidence());
                }
                due = (every_minutes > 0).then(|| std::time::Instant::now() + every);
            }
            drop(state);
            if due.is_none() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
}

/// The whole verification; a failure makes the instance read-only.
fn verify_in_full(db: &Db, sealer: &Sealer, evidence: &Evidence) {
    let started = std::time::Instant::now();
    match db.run_here(|conn| ledger::audit(conn, evidence)) {
        Ok(verdict) if verdict.is_ok() => {
            tracing::info!(
                entries = verdict.report.entries,
                seconds = started.elapsed().as_secs_f64(),
                "the ledger verified in full"
            );
            adopt_rows(db);
            let entries = verdict.report.entries;
            if let Err(error) =
                db.run_here(|conn| crate::services::incidents::note_verified(conn, sealer, entries))
            {
                tracing::error!(%error, "the verified ledger's incident state was not updated");
            }
        }
        Ok(verdict) => {
            if let Some((seq, reason)) = verdict.first_failure() {
                sealer.trust().distrust(seq, reason);
            }
        }
        Err(error) => tracing::error!(%error, "the ledger's verification could not run"),
    }
}

/// Rows from before seals, sealed now that the streams they reflect verified.
fn adopt_rows(db: &Db) {
    match db.run_here(crate::services::accounts::audit::adopt_unsealed) {
        Ok(0) => {}
        Ok(sealed) => tracing::info!(
            sealed,
            "sealed the users rows written before rows were sealed"
        ),
        Err(error) => tracing::error!(%error, "the users rows without a seal were not sealed"),
    }
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) {
    if let Err(error) = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(work)
    {
        tracing::error!(%error, thread = name, "a ledger watcher did not start");
    }
}
