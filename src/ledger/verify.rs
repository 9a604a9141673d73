//! Full verification (invariant 4 of the design notes): recompute every hash from the stored
//! bytes, check that the bytes agree with the columns, check both chains are gapless, and check
//! every stored Merkle subtree against the tree recomputed from the entries.

use std::collections::HashMap;

use diesel::prelude::*;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use super::canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash, ZERO_HASH};
use super::entry::{Entry, EntryHeader, ENTRY_VERSION};
use super::merkle::{Frontier, NodeId};
use super::{tree, LedgerError};
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

const PAGE: i64 = 2_000;

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
/// left for the next run. Reads in pages, so memory stays flat however long the ledger is.
pub fn verify(conn: &mut DbConn) -> Result<VerifyReport, LedgerError> {
    let last_seq: Option<i64> = le::ledger_entries
        .select(diesel::dsl::max(le::seq))
        .first(conn)?;
    let mut chain = Chain::default();
    let mut tree = TreeCheck::default();
    let Some(last_seq) = last_seq else {
        return Ok(chain.report(&tree, None));
    };
    let mut cursor = 0;
    loop {
        let page: Vec<Entry> = le::ledger_entries
            .filter(le::seq.ge(cursor).and(le::seq.le(last_seq)))
            .order(le::seq.asc())
            .limit(PAGE)
            .select(Entry::as_select())
            .load(conn)?;
        let Some(last) = page.last() else { break };
        cursor = last.seq + 1;
        for entry in &page {
            if let Err(reason) = chain.check(entry) {
                let seq = chain.next_seq.min(entry.seq);
                return Ok(chain.report(&tree, Some(VerifyFailure { seq, reason })));
            }
            tree.push(chain.head.unwrap_or_default());
        }
        if let Err(failure) = tree.compare(conn)? {
            return Ok(chain.report(&tree, Some(failure)));
        }
    }
    let failure = tree.finish(conn)?.err();
    Ok(chain.report(&tree, failure))
}

/// The tree recomputed from the verified leaf hashes, and each stored subtree compared with it
/// a page at a time.
#[derive(Default)]
struct TreeCheck {
    frontier: Frontier,
    /// Subtrees completed since the last comparison, in the order they were completed.
    completed: Vec<(NodeId, Hash)>,
    /// The leaf whose subtrees were first found missing.
    first_missing: Option<u64>,
}

impl TreeCheck {
    fn push(&mut self, leaf: Hash) {
        let completed = &mut self.completed;
        self.frontier
            .push(leaf, |id, hash| completed.push((id, *hash)));
    }

    /// Reads the stored subtrees completed since the last call (one range query per level)
    /// and names the first that differs from its recomputation.
    fn compare(&mut self, conn: &mut DbConn) -> Result<Result<(), VerifyFailure>, LedgerError> {
        let mut completed = std::mem::take(&mut self.completed);
        completed.sort_by_key(|(id, _)| *id);
        let mut stored = HashMap::new();
        for level_nodes in completed.chunk_by(|a, b| a.0.level == b.0.level) {
            let (first, last) = (level_nodes[0].0, level_nodes[level_nodes.len() - 1].0);
            stored.insert(
                first.level,
                tree::stored_range(conn, first.level, first.index..last.index + 1)?,
            );
        }
        completed.sort_by_key(|(id, _)| id.leaves().end);
        for (id, hash) in completed {
            match stored.get(&id.level).and_then(|level| level.get(&id.index)) {
                Some(bytes) if bytes.as_slice() == hash.as_slice() => {}
                Some(_) => {
                    return Ok(Err(node_failure(
                        id,
                        "does not match the hash recomputed from those entries",
                    )))
                }
                None => {
                    let by = id.leaves().end - 1;
                    self.first_missing = Some(self.first_missing.map_or(by, |m| m.min(by)));
                }
            }
        }
        Ok(Ok(()))
    }

    /// After the last entry: no stored subtree may cover entries that do not exist, as it would
    /// if entries were removed from the ledger's end. A subtree past the entries verified is
    /// fine if its last entry is there now: it was appended meanwhile (with that entry, in one
    /// transaction, so the entry is visible to a read made after the subtree's).
    fn finish(&mut self, conn: &mut DbConn) -> Result<Result<(), VerifyFailure>, LedgerError> {
        let size = self.frontier.size();
        let beyond = tree::nodes_beyond(conn, size)?;
        let last_leaf = |id: &NodeId| NodeId {
            level: 0,
            index: id.leaves().end - 1,
        };
        let leaves: Vec<NodeId> = beyond.iter().map(last_leaf).collect();
        let present = tree::read_nodes(conn, &leaves)?;
        Ok(
            match beyond
                .iter()
                .find(|id| !present.contains_key(&last_leaf(id)))
            {
                Some(id) => Err(node_failure(
                    *id,
                    &format!(
                        "covers entries past the last one ({size} entries): entries were removed \
                     from the end"
                    ),
                )),
                None => Ok(()),
            },
        )
    }
}

fn node_failure(id: NodeId, what: &str) -> VerifyFailure {
    let leaves = id.leaves();
    VerifyFailure {
        seq: leaves.start as i64,
        reason: format!(
            "Merkle node (level {}, index {}) over seq {}..={} {what}",
            id.level,
            id.index,
            leaves.start,
            leaves.end - 1
        ),
    }
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

    fn check(&mut self, entry: &Entry) -> Result<(), String> {
        if entry.seq != self.next_seq {
            return Err(format!(
                "entry is missing (the next stored entry has seq {})",
                entry.seq
            ));
        }
        let hash = leaf_hash(&entry.entry_bytes);
        if entry.hash != hash {
            return Err("hash does not match SHA-256(0x00 || entry_bytes)".to_owned());
        }
        check_header(entry)?;
        check_payload(entry)?;
        let prev = self.head.unwrap_or(ZERO_HASH);
        if entry.prev_hash != prev {
            return Err("prev_hash does not equal the hash of the previous entry".to_owned());
        }
        let (stream_seq, stream_prev) = self
            .streams
            .get(&entry.stream)
            .copied()
            .unwrap_or((0, ZERO_HASH));
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
        self.streams
            .insert(entry.stream.clone(), (stream_seq + 1, hash));
        self.head = Some(hash);
        self.next_seq += 1;
        Ok(())
    }
}

/// The stored bytes must be canonical, of format version 1, and say what the columns say.
fn check_header(entry: &Entry) -> Result<(), String> {
    let header: EntryHeader = serde_json::from_slice(&entry.entry_bytes)
        .map_err(|e| format!("entry_bytes are not a version-1 entry: {e}"))?;
    if header.v != ENTRY_VERSION {
        return Err(format!("unknown entry format version {}", header.v));
    }
    let recanonical = canonical_bytes(&header).map_err(|e| e.to_string())?;
    if recanonical != entry.entry_bytes {
        return Err("entry_bytes are not in RFC 8785 canonical form".to_owned());
    }
    let columns = entry.header();
    if header != columns {
        return Err(format!(
            "entry_bytes disagree with the stored columns ({})",
            differing_fields(&header, &columns)
        ));
    }
    Ok(())
}

fn check_payload(entry: &Entry) -> Result<(), String> {
    if payload_sha256(&entry.payload_bytes) != entry.payload_sha256 {
        return Err("payload_bytes do not match payload_sha256".to_owned());
    }
    let payload: serde_json::Value = serde_json::from_slice(&entry.payload_bytes)
        .map_err(|e| format!("payload_bytes are not JSON: {e}"))?;
    if !payload.is_object() {
        return Err("payload is not a JSON object".to_owned());
    }
    if canonical_bytes(&payload).map_err(|e| e.to_string())? != entry.payload_bytes {
        return Err("payload_bytes are not in RFC 8785 canonical form".to_owned());
    }
    Ok(())
}

fn differing_fields(a: &EntryHeader, b: &EntryHeader) -> String {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return "unreadable".to_owned();
    };
    a.iter()
        .filter(|(key, value)| b.get(*key) != Some(value))
        .map(|(key, _)| key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
