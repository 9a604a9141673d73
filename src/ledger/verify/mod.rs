//! Full verification (invariant 4 of the design notes): recompute every hash from the stored
//! bytes, check that the bytes agree with the columns, check both chains are gapless, and check
//! every stored Merkle subtree against the tree recomputed from the entries.

mod entry_check;
mod fast_path;
mod reader;
mod tree_check;

use std::collections::HashMap;
use std::sync::mpsc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use diesel::prelude::*;
use rayon::prelude::*;

use super::canonical::{Hash, ZERO_HASH};
use super::entry::Entry;
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;
use tree_check::TreeCheck;

/// The first entry found wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {reason}")]
pub struct VerifyFailure {
    pub seq: i64,
    pub reason: String,
}

/// What a verification run saw: how many entries were checked, the head it reached and the
/// Merkle root there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub head: Option<Hash>,
    /// The root of the tree of the entries checked, recomputed from them.
    pub root: Option<Hash>,
    /// How many of the first entries have every Merkle subtree stored (all of them, unless
    /// entries were inserted around the appender since the last start).
    pub tree_size: u64,
    pub failure: Option<VerifyFailure>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.failure, self.head) {
            (Some(failure), _) => write!(f, "FAILED at {failure}"),
            (None, Some(head)) => {
                write!(
                    f,
                    "ok: {} entries, head {}, root {}",
                    self.entries,
                    hex::encode(head),
                    BASE64.encode(self.root.unwrap_or_default())
                )?;
                if self.tree_size < self.entries {
                    write!(
                        f,
                        " (Merkle subtrees stored for the first {} entries; the next append or \
                         start stores the rest)",
                        self.tree_size
                    )?;
                }
                Ok(())
            }
            (None, None) => write!(f, "ok: 0 entries, head (empty ledger)"),
        }
    }
}

/// Verifies the ledger up to the head it finds when it starts; entries appended meanwhile are
/// left for the next run. A background thread reads the pages (so memory stays flat however
/// long the ledger is), each page's own checks run on every core, and the links between
/// entries are then checked in one pass in `seq` order.
pub fn verify(conn: &mut DbConn) -> Result<VerifyReport, LedgerError> {
    let last_seq: Option<i64> = le::ledger_entries
        .select(diesel::dsl::max(le::seq))
        .first(conn)?;
    let mut chain = Chain::default();
    let mut tree = TreeCheck::default();
    let Some(last_seq) = last_seq else {
        return Ok(chain.report(&tree, None));
    };
    let failure = std::thread::scope(|scope| {
        let (sender, pages) = mpsc::sync_channel(reader::PAGES_AHEAD);
        let reading = &mut *conn;
        let reader = scope.spawn(move || reader::read(reading, last_seq, sender));
        // Dropping `pages` (when this returns) is what stops the reader after a failure.
        let checked = check_pages(pages, &mut chain, &mut tree);
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        checked
    })?;
    let failure = match failure {
        Some(failure) => Some(failure),
        None => tree.finish(conn)?.err(),
    };
    Ok(chain.report(&tree, failure))
}

/// Checks the pages as they arrive; the first failure, in `seq` order within a page and
/// before the page's stored subtrees are compared, as the checks always reported it.
fn check_pages(
    pages: mpsc::Receiver<Result<reader::Page, LedgerError>>,
    chain: &mut Chain,
    tree: &mut TreeCheck,
) -> Result<Option<VerifyFailure>, LedgerError> {
    for page in pages {
        let page = page?;
        let own: Vec<Result<Hash, String>> = page
            .entries
            .par_iter()
            .map(entry_check::check_entry)
            .collect();
        for (entry, own) in page.entries.iter().zip(own) {
            if let Err(reason) = chain.check(entry, own) {
                let seq = chain.next_seq.min(entry.seq);
                return Ok(Some(VerifyFailure { seq, reason }));
            }
            tree.push(chain.head.unwrap_or_default());
        }
        if let Err(failure) = tree.compare(&page.nodes) {
            return Ok(Some(failure));
        }
    }
    Ok(None)
}

#[derive(Default)]
struct Chain {
    next_seq: i64,
    head: Option<Hash>,
    /// Per stream: the next stream_seq and the hash of the stream's last entry.
    streams: HashMap<String, (i64, Hash)>,
}

impl Chain {
    fn report(self, tree: &TreeCheck, failure: Option<VerifyFailure>) -> VerifyReport {
        let entries = u64::try_from(self.next_seq).unwrap_or(0);
        VerifyReport {
            entries,
            head: self.head,
            root: self.head.map(|_| tree.frontier.root()),
            tree_size: tree.first_missing.unwrap_or(entries).min(entries),
            failure,
        }
    }

    /// `own` is the outcome of the entry's own checks ([`entry_check::check_entry`]), made
    /// beforehand; it is reported where the entry's own checks always came: after its seq.
    fn check(&mut self, entry: &Entry, own: Result<Hash, String>) -> Result<(), String> {
        if entry.seq != self.next_seq {
            return Err(format!(
                "entry is missing (the next stored entry has seq {})",
                entry.seq
            ));
        }
        let hash = own?;
        let prev = self.head.unwrap_or(ZERO_HASH);
        if entry.prev_hash != prev {
            return Err("prev_hash does not equal the hash of the previous entry".to_owned());
        }
        // One lookup per entry; the stream's name is copied only for its first entry.
        let link = self.streams.get_mut(entry.stream.as_str());
        let (stream_seq, stream_prev) = link.as_deref().copied().unwrap_or((0, ZERO_HASH));
        if entry.stream_seq != stream_seq {
            return Err(format!(
                "stream_seq is {} but stream {} expects {}",
                entry.stream_seq, entry.stream, stream_seq
            ));
        }
        if entry.stream_prev_hash != stream_prev {
            return Err(format!(
                "stream_prev_hash does not equal the hash of the previous entry of {}",
                entry.stream
            ));
        }
        match link {
            Some(link) => *link = (stream_seq + 1, hash),
            None => {
                self.streams
                    .insert(entry.stream.clone(), (stream_seq + 1, hash));
            }
        }
        self.head = Some(hash);
        self.next_seq += 1;
        Ok(())
    }
}
