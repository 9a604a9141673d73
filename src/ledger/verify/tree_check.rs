//! The Merkle tree recomputed from the verified leaf hashes, and each stored subtree compared
//! with it a page at a time (the reader fetches a page's stored subtrees with its entries).

use std::collections::HashMap;

use super::super::canonical::Hash;
use super::super::merkle::{Frontier, NodeId};
use super::super::{tree, LedgerError};
use super::VerifyFailure;
use crate::db::DbConn;

/// The stored subtrees a page of entries completes, as read: by level, then by index.
pub(super) type StoredNodes = HashMap<u8, HashMap<u64, Vec<u8>>>;

#[derive(Default)]
pub(super) struct TreeCheck {
    pub(super) frontier: Frontier,
    /// Subtrees completed since the last comparison, in the order they were completed.
    completed: Vec<(NodeId, Hash)>,
    /// The leaf whose subtrees were first found missing.
    pub(super) first_missing: Option<u64>,
}

impl TreeCheck {
    pub(super) fn push(&mut self, leaf: Hash) {
        let completed = &mut self.completed;
        self.frontier
            .push(leaf, |id, hash| completed.push((id, *hash)));
    }

    /// Compares the subtrees completed since the last call with the stored ones and names the
    /// first that differs, in the order they were completed (by last leaf, then lowest first).
    pub(super) fn compare(&mut self, stored: &StoredNodes) -> Result<(), VerifyFailure> {
        let completed = std::mem::take(&mut self.completed);
        for (id, hash) in completed {
            match stored.get(&id.level).and_then(|level| level.get(&id.index)) {
                Some(bytes) if bytes.as_slice() == hash.as_slice() => {}
                Some(_) => {
                    return Err(node_failure(
                        id,
                        "does not match the hash recomputed from those entries",
                    ))
                }
                None => {
                    let by = id.leaves().end - 1;
                    self.first_missing = Some(self.first_missing.map_or(by, |m| m.min(by)));
                }
            }
        }
        Ok(())
    }

    /// After the last entry: no stored subtree may cover entries that do not exist, as it would
    /// if entries were removed from the ledger's end. A subtree past the entries verified is
    /// fine if its last entry is there now: it was appended meanwhile (with that entry, in one
    /// transaction, so the entry is visible to a read made after the subtree's).
    pub(super) fn finish(
        &mut self,
        conn: &mut DbConn,
    ) -> Result<Result<(), VerifyFailure>, LedgerError> {
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
