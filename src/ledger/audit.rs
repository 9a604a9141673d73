//! The one verification of the ledger, used by `cartrec verify`, the API, the UI's button and
//! the service itself: the chain and the Merkle tree recomputed from the stored bytes, every
//! signed tree head, every checkpoint stored in the database, and the newest checkpoint and
//! tree head kept outside it in `checkpoint_dir` (and an auditor's own checkpoint, given).
//! Each verdict says which evidence it rests on.
//!
//! Also the quick check the service makes at start-up, before it serves: the newest signed head
//! against the ledger's end and the stored tree, and the copies outside against both; a few
//! reads, however long the ledger.

use std::path::PathBuf;

use diesel::Connection;

use super::heads::{self, HeadVerifier, Sealer};
use super::verify::{verify_with, VerifyReport};
use super::{checkpoints, entry_at, tree, LedgerError};
use crate::db::DbConn;

/// What a verification checks the ledger against.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The ledger's verifier key (signed-note `vkey`), which signs heads and checkpoints.
    pub vkey: String,
    pub origin: String,
    /// The directory outside the database with the copies of checkpoints and the newest head.
    pub outside: Option<PathBuf>,
    /// An auditor's own checkpoint (`cartrec verify --trusted FILE`): where it came from, and
    /// the note.
    pub trusted: Option<(String, String)>,
}

/// The verdict, with the evidence it rests on.
#[derive(Debug, Clone)]
pub struct Audit {
    pub report: VerifyReport,
    /// Checkpoints stored in the database, each checked.
    pub checkpoints: u64,
    /// The size of the newest checkpoint in `checkpoint_dir`, if there is one.
    pub outside_checkpoint: Option<u64>,
    /// The size of the tree head copied to `checkpoint_dir`, if there is one.
    pub outside_head: Option<u64>,
    /// The size of the auditor's checkpoint, when one was given.
    pub trusted: Option<u64>,
    /// What failed beyond the entries themselves (a checkpoint, a copy outside).
    pub failure: Option<String>,
}

impl Audit {
    /// The verdict on `report` alone, before the evidence beyond the entries is checked.
    fn of(report: VerifyReport) -> Audit {
        Audit {
            report,
            checkpoints: 0,
            outside_checkpoint: None,
            outside_head: None,
            trusted: None,
            failure: None,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.report.is_ok() && self.failure.is_none()
    }

    /// What failed: the first bad entry (0 when what failed is evidence outside the entries)
    /// and why; `None` when the ledger verified.
    pub fn first_failure(&self) -> Option<(i64, String)> {
        match (&self.report.failure, &self.failure) {
            (Some(failure), _) => Some((failure.seq, failure.reason.clone())),
            (None, Some(reason)) => Some((0, reason.clone())),
            (None, None) => None,
        }
    }

    /// One sentence per piece of evidence checked; none when the verification failed (the
    /// failure is the verdict, and what was checked before it proves nothing of the rest).
    pub fn evidence(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.is_ok() {
            return lines;
        }
        let entries = self.report.entries;
        if let Some(heads) = self.report.signed_heads {
            lines.push(format!(
                "{heads} signed tree head(s) checked against the ledger's key; every one of the \
                 {entries} entries lies under one"
            ));
        }
        if self.checkpoints > 0 {
            lines.push(format!(
                "{} stored checkpoint(s) verified (in the database)",
                self.checkpoints
            ));
        }
        match (self.outside_checkpoint, self.outside_head) {
            (None, None) if entries == 0 => {}
            (None, None) => lines.push(
                "no checkpoint or tree head outside the database yet (checkpoint_dir is empty)"
                    .to_owned(),
            ),
            (checkpoint, head) => {
                if let Some(size) = checkpoint {
                    lines.push(format!(
                        "the newest checkpoint outside the database ({size} entries): the ledger \
                         extends it consistently"
                    ));
                }
                if let Some(size) = head {
                    lines.push(format!(
                        "the tree head copied outside the database ({size} entries): the ledger \
                         extends it consistently"
                    ));
                }
            }
        }
        if let Some(size) = self.trusted {
            lines.push(format!(
                "trusted checkpoint of {size} entries: the ledger extends it consistently"
            ));
        }
        lines
    }

    /// The verdict in one line: `ok: …` or `FAILED …`.
    pub fn summary(&self) -> String {
        match &self.failure {
            Some(failure) if self.report.is_ok() => format!("FAILED: {failure}"),
            _ => self.report.to_string(),
        }
    }
}

/// The whole verification; see the module's documentation.
pub fn audit(conn: &mut DbConn, evidence: &Evidence) -> Result<Audit, LedgerError> {
    let verifier = HeadVerifier::new(&evidence.vkey, &evidence.origin)?;
    let mut audit = Audit::of(verify_with(conn, Some(&verifier))?);
    if audit.report.is_ok() {
        if let Err(failure) = check_evidence(conn, evidence, &verifier, &mut audit) {
            audit.failure = Some(failure);
        }
    }
    Ok(audit)
}

/// The evidence beyond the entries (checkpoints stored and outside; no tree heads) for a
/// ledger `report` verified without heads: for the one start of a ledger written before heads.
pub fn audit_without_heads(
    conn: &mut DbConn,
    evidence: &Evidence,
    report: VerifyReport,
) -> Result<Audit, LedgerError> {
    let verifier = HeadVerifier::new(&evidence.vkey, &evidence.origin)?;
    let mut audit = Audit::of(report);
    if let Err(failure) = check_evidence(conn, evidence, &verifier, &mut audit) {
        audit.failure = Some(failure);
    }
    Ok(audit)
}

fn check_evidence(
    conn: &mut DbConn,
    evidence: &Evidence,
    verifier: &HeadVerifier,
    audit: &mut Audit,
) -> Result<(), String> {
    let (vkey, origin) = (evidence.vkey.as_str(), evidence.origin.as_str());
    audit.checkpoints = checkpoints::check_stored(conn, vkey, origin)
        .map_err(|e| format!("a checkpoint stored in the database: {e}"))?;
    if let Some(dir) = &evidence.outside {
        audit.outside_checkpoint = outside_checkpoint(conn, dir, vkey, origin)?;
        let head = heads::outside(dir, verifier).map_err(|e| e.to_string())?;
        if let Some(head) = head {
            extends_head(conn, &head).map_err(|why| {
                format!(
                    "the tree head copied to {} ({} entries): {why}",
                    dir.display(),
                    head.size
                )
            })?;
            audit.outside_head = Some(head.size);
        }
    }
    if let Some((source, note)) = &evidence.trusted {
        let size = checkpoints::check_one(conn, note, vkey, origin)
            .map_err(|e| format!("the trusted checkpoint {source}: {e}"))?;
        audit.trusted = Some(size);
    }
    Ok(())
}

fn outside_checkpoint(
    conn: &mut DbConn,
    dir: &std::path::Path,
    vkey: &str,
    origin: &str,
) -> Result<Option<u64>, String> {
    let newest = checkpoints::newest_outside(dir, vkey, origin).map_err(|e| e.to_string())?;
    let Some(newest) = newest else {
        return Ok(None);
    };
    checkpoints::check_one(conn, &newest.note, vkey, origin).map_err(|e| {
        format!(
            "the newest checkpoint in {} ({} entries): {e}",
            dir.display(),
            newest.size
        )
    })?;
    Ok(Some(newest.size))
}

/// The ledger holds the head's entries, ending in the entry it names, under the root it signs.
fn extends_head(conn: &mut DbConn, head: &heads::SignedHead) -> Result<(), String> {
    let size = tree::ledger_size(conn).map_err(|e| e.to_string())?;
    if size < head.size {
        return Err(format!(
            "the ledger holds only {size} entries: entries were removed from its end or the \
             database was rolled back"
        ));
    }
    let last = entry_at(conn, head.size as i64 - 1).map_err(|e| e.to_string())?;
    let root = tree::root(conn, head.size).map_err(|e| e.to_string())?;
    if last.is_none_or(|entry| entry.hash != head.last_hash) || root != head.root {
        return Err(
            "the ledger's history up to it is not the one it signs: it was rewritten".to_owned(),
        );
    }
    Ok(())
}

/// What the quick check at start-up found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartCheck {
    /// The ledger ends where its newest signed head says, and agrees with the copies outside.
    Trusted { size: u64 },
    /// An empty ledger: nothing to check.
    Empty,
    /// Entries and no signed head at all, and no copy outside that says there were heads: a
    /// ledger written before heads were signed. The caller verifies it fully, then adopts it.
    Unsealed { size: u64 },
}

/// The quick check at start-up (see the module's documentation). A failure is returned as the
/// first bad seq and the reason; the caller stops trusting the ledger.
pub fn quick_check(
    conn: &mut DbConn,
    sealer: &Sealer,
) -> Result<Result<StartCheck, (i64, String)>, LedgerError> {
    let verifier = sealer.verifier()?;
    let size = tree::ledger_size(conn)?;
    let outside_head = match sealer.outside_dir() {
        Some(dir) => match heads::outside(dir, &verifier) {
            Ok(head) => head,
            Err(e) => return Ok(Err((0, e.to_string()))),
        },
        None => None,
    };
    let Some(newest) = heads::newest(conn)? else {
        return Ok(match (size, &outside_head) {
            (0, None) => Ok(StartCheck::Empty),
            (_, None) => Ok(StartCheck::Unsealed { size }),
            (_, Some(head)) => Err((
                0,
                format!(
                    "the database holds no signed tree head, but one of {} entries was copied \
                     outside it: the heads were removed from the database",
                    head.size
                ),
            )),
        });
    };
    if let Err(why) = verifier.check_stored(&newest) {
        return Ok(Err((
            newest.size as i64 - 1,
            format!(
                "the newest signed tree head (size {}) was not signed by this ledger's key \
                 ({why}): it was written around cartrec",
                newest.size
            ),
        )));
    }
    if let Some(problem) = heads::ends_where_signed(conn, &newest, size)? {
        return Ok(Err(problem));
    }
    if let Some(head) = &outside_head {
        if let Err(why) = extends_head(conn, head) {
            return Ok(Err((
                head.size.min(size) as i64,
                format!(
                    "the tree head copied outside the database ({} entries): {why}",
                    head.size
                ),
            )));
        }
    }
    if let Some(dir) = sealer.outside_dir() {
        if let Err(why) = outside_checkpoint(conn, dir, sealer.vkey(), sealer.origin()) {
            return Ok(Err((0, why)));
        }
    }
    Ok(Ok(StartCheck::Trusted { size }))
}

/// Signs a head over a ledger written before heads were signed, once it verified in full: the
/// upgrade's one act of trust, logged.
pub fn adopt(conn: &mut DbConn, sealer: &Sealer) -> Result<heads::SignedHead, LedgerError> {
    conn.transaction(|conn| {
        let head = super::lock::take_append_lock(conn)?;
        sealer.seal(conn, head)
    })
}
