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
use super::heads::{self, HeadVerifier};
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
    /// How many signed tree heads were checked (`None`: verified without the ledger's key).
    pub signed_heads: Option<u64>,
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
    verify_with(conn, None)
}

/// [`verify`], and with `heads` also every signed tree head: each signed by that key, each
/// naming the entry and the root the ledger has at its size, and the newest covering the last
/// entry (an entry no signed head covers was not written by cartrec).
pub fn verify_with(
    conn: &mut DbConn,
    heads: Option<&HeadVerifier>,
) -> Result<VerifyReport, LedgerError> {
    let last_seq: Option<i64> = le::ledger_entries
        .select(diesel::dsl::max(le::seq))
        .first(conn)?;
    let mut chain = Chain::default();
    let mut tree = TreeCheck::default();
    let size = last_seq.map_or(0, |seq| seq as u64 + 1);
    let signed = match heads {
        Some(verifier) => match signed_heads(conn, verifier, size)? {
            Ok(signed) => Some(signed),
            Err(failure) => return Ok(chain.report(&tree, Some(failure))),
        },
        None => None,
    };
    let Some(last_seq) = last_seq else {
        return Ok(chain.report(&tree, None));
    };
    let failure = std::thread::scope(|scope| {
        let (sender, pages) = mpsc::sync_channel(reader::PAGES_AHEAD);
        let reading = &mut *conn;
        let reader = scope.spawn(move || reader::read(reading, last_seq, sender));
        // Dropping `pages` (when this returns) is what stops the reader after a failure.
        let checked = check_pages(pages, &mut chain, &mut tree, signed.as_ref());
        if let Err(panic) = reader.join() {
            std::panic::resume_unwind(panic);
        }
        checked
    })?;
    let failure = match failure {
        Some(failure) => Some(failure),
        None => tree.finish(conn)?.err(),
    };
    let failure = match (failure, &signed) {
        (None, Some(signed)) => match uncovered(signed, size) {
            Some(failure) => Some(failure),
            None => removed_tail(conn)?,
        },
        (failure, _) => failure,
    };
    let mut report = chain.report(&tree, failure);
    report.signed_heads = signed.map(|signed| signed.len() as u64);
    Ok(report)
}

/// The signed heads of at most `size` entries, by size, each checked against its signature.
type Heads = HashMap<u64, (Hash, Hash)>;

fn signed_heads(
    conn: &mut DbConn,
    verifier: &HeadVerifier,
    size: u64,
) -> Result<Result<Heads, VerifyFailure>, LedgerError> {
    let stored = heads::up_to(conn, size)?;
    let forged = stored
        .par_iter()
        .find_first(|head| verifier.check_stored(head).is_err());
    if let Some(head) = forged {
        let why = verifier.check_stored(head).err().unwrap_or_default();
        return Ok(Err(VerifyFailure {
            seq: head.size as i64 - 1,
            reason: format!(
                "the signed head of size {} was not signed by this ledger's key ({why}): it was written around cartrec",
                head.size
            ),
        }));
    }
    Ok(Ok(stored
        .into_iter()
        .map(|head| (head.size, (head.root, head.last_hash)))
        .collect()))
}

/// Entries past the newest signed head: written by someone else than cartrec.
fn uncovered(signed: &Heads, size: u64) -> Option<VerifyFailure> {
    let newest = signed.keys().copied().max().unwrap_or(0);
    (newest < size).then(|| VerifyFailure {
        seq: newest as i64,
        reason: format!(
            "entries {newest}..={} are covered by no signed tree head: they were not written by \
             cartrec",
            size - 1
        ),
    })
}

/// A signed head larger than the ledger: entries cartrec wrote were removed from its end. The
/// head is read before the size, and a head commits with its entries, so a head committed
/// meanwhile is never taken for a removal.
fn removed_tail(conn: &mut DbConn) -> Result<Option<VerifyFailure>, LedgerError> {
    let Some(newest) = heads::newest(conn)? else {
        return Ok(None);
    };
    let size = super::tree::ledger_size(conn)?;
    Ok((newest.size > size).then(|| VerifyFailure {
        seq: size as i64,
        reason: format!(
            "a signed tree head covers {} entries but the ledger holds {size}: entries were \
             removed from its end",
            newest.size
        ),
    }))
}

/// Checks the pages as they arrive; the first failure, in `seq` order within a page and
/// before the page's stored subtrees are compared, as the checks always reported it.
fn check_pages(
    pages: mpsc::Receiver<Result<reader::Page, LedgerError>>,
    chain: &mut Chain,
    tree: &mut TreeCheck,
    signed: Option<&Heads>,
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
            let size = chain.next_seq as u64;
            if let Some((root, last)) = signed.and_then(|signed| signed.get(&size)) {
                if chain.head != Some(*last) || tree.frontier.root() != *root {
                    return Ok(Some(VerifyFailure {
                        seq: entry.seq,
                        reason: format!(
                            "the signed tree head of size {size} names another history: the \
                             entries up to here were rewritten"
                        ),
                    }));
                }
            }
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
            signed_heads: None,
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
