//! The Merkle tree's storage: the subtrees each append completes, written in the append's
//! transaction; the catch-up that stores them for entries that lack them; and roots and proofs
//! read from the O(log n) stored subtrees [`merkle`] names, never by rehashing the ledger.

use std::collections::HashMap;
use std::ops::Range;

use diesel::dsl::max;
use diesel::prelude::*;

use super::canonical::Hash;
use super::merkle::{self, NodeId};
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::schema::merkle_nodes::{self, dsl as mn};
use crate::db::DbConn;

/// Nodes written (and pairs of children read) per statement by the catch-up.
const CHUNK: u64 = 1_000;

#[derive(Insertable)]
#[diesel(table_name = merkle_nodes)]
struct NewNode {
    level: i32,
    idx: i64,
    hash: Vec<u8>,
}

impl NewNode {
    fn new(id: NodeId, hash: &Hash) -> NewNode {
        NewNode {
            level: i32::from(id.level),
            idx: id.index as i64,
            hash: hash.to_vec(),
        }
    }
}

/// Stores the subtrees that entry `seq` completes, given its leaf hash and its predecessor's.
/// Reads one stored node per level written (amortized one), all in one query: each new node's
/// left sibling and the node before the topmost, which exist unless entries were inserted
/// around the appender; then the catch-up stores everything missing instead.
pub(super) fn store_completed(
    conn: &mut DbConn,
    seq: i64,
    leaf: &Hash,
    prev: &Hash,
) -> Result<(), LedgerError> {
    let n = seq as u64;
    if n.trailing_ones() == 0 {
        return Ok(());
    }
    let before: Vec<NodeId> = merkle::completed_by(n)
        .filter(|id| id.index > 0)
        .map(|id| NodeId {
            index: id.index - 1,
            ..id
        })
        .collect();
    let stored = read_nodes(conn, &before)?;
    if stored.len() < before.len() {
        catch_up_to(conn, n + 1)?;
        return Ok(());
    }
    let (mut left, mut right) = (*prev, *leaf);
    let mut rows = Vec::new();
    for id in merkle::completed_by(n) {
        right = merkle::node_hash(&left, &right);
        rows.push(NewNode::new(id, &right));
        if let Some(sibling) = id.index.checked_sub(1).and_then(|index| {
            stored.get(&NodeId {
                level: id.level,
                index,
            })
        }) {
            left = *sibling;
        }
    }
    // A node already stored where this one goes was written around cartrec (or is left from a
    // removed tail): a named refusal, never an opaque failure, and never overwritten.
    insert(conn, &rows).map_err(|error| match &error {
        LedgerError::Db(crate::db::DbError::Query(diesel::result::Error::DatabaseError(
            kind,
            info,
        ))) if matches!(kind, diesel::result::DatabaseErrorKind::UniqueViolation)
            || info.message().contains("merkle_nodes is append-only") =>
        {
            rows.first().map_or(error_conflict(0, n), |row| {
                error_conflict(row.level, row.idx as u64)
            })
        }
        _ => error,
    })
}

fn error_conflict(level: i32, index: u64) -> LedgerError {
    LedgerError::NodeConflict {
        level: u8::try_from(level).unwrap_or(u8::MAX),
        index,
    }
}

/// One multi-row insert. diesel's multi-backend connection has no batch insert, so this goes
/// to the connection underneath (the same connection, in the same transaction).
fn insert(conn: &mut DbConn, rows: &[NewNode]) -> Result<(), LedgerError> {
    let statement = diesel::insert_into(mn::merkle_nodes).values(rows);
    match conn {
        DbConn::Sqlite(c) => statement.execute(c),
        DbConn::Postgresql(c) => statement.execute(c),
    }?;
    Ok(())
}

/// How many entries the ledger holds.
/// How many entries the ledger holds.
pub fn ledger_size(conn: &mut DbConn) -> Result<u64, LedgerError> {
    let last: Option<i64> = le::ledger_entries.select(max(le::seq)).first(conn)?;
    Ok(last.map_or(0, |seq| seq as u64 + 1))
}

/// The index after the last stored node of `level`.
fn stored_count(conn: &mut DbConn, level: u32) -> Result<u64, LedgerError> {
    let last: Option<i64> = mn::merkle_nodes
        .filter(mn::level.eq(level as i32))
        .select(max(mn::idx))
        .first(conn)?;
    Ok(last.map_or(0, |idx| idx as u64 + 1))
}

/// Whether every subtree of the first `size` entries is stored: one index lookup per level.
fn is_complete(conn: &mut DbConn, size: u64) -> Result<bool, LedgerError> {
    for level in 1..64 {
        let expected = size >> level;
        if expected == 0 {
            break;
        }
        if stored_count(conn, level)? < expected {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Stores every missing subtree of the ledger, under the append lock: for a database whose
/// entries predate the tree (the migration that adds it cannot hash on SQLite), or entries
/// inserted around the appender. Cheap when nothing is missing. Returns how many it stored.
pub fn catch_up(conn: &mut DbConn) -> Result<u64, LedgerError> {
    let size = ledger_size(conn)?;
    if is_complete(conn, size)? {
        return Ok(0);
    }
    super::write(conn, |tx| {
        let size = ledger_size(tx.conn())?;
        catch_up_to(tx.conn(), size)
    })
}

/// Stores the missing subtrees of the first `size` entries, level by level, each from the
/// level below in chunks.
fn catch_up_to(conn: &mut DbConn, size: u64) -> Result<u64, LedgerError> {
    let mut written = 0;
    for level in 1..64u32 {
        let target = size >> level;
        if target == 0 {
            break;
        }
        let mut next = stored_count(conn, level)?;
        while next < target {
            let end = (next + CHUNK).min(target);
            let children = read_level(conn, level - 1, 2 * next..2 * end)?;
            let rows: Vec<NewNode> = children
                .chunks_exact(2)
                .zip(next..)
                .map(|(pair, index)| {
                    let id = NodeId {
                        level: level as u8,
                        index,
                    };
                    NewNode::new(id, &merkle::node_hash(&pair[0], &pair[1]))
                })
                .collect();
            insert(conn, &rows)?;
            written += rows.len() as u64;
            next = end;
        }
    }
    if written > 0 {
        tracing::info!(written, size, "stored missing Merkle subtrees");
    }
    Ok(written)
}

/// The hashes of `level` at indexes `range`, in order; all of them must be stored.
pub(super) fn read_level(
    conn: &mut DbConn,
    level: u32,
    range: Range<u64>,
) -> Result<Vec<Hash>, LedgerError> {
    let (lo, hi) = (range.start as i64, range.end as i64);
    let rows: Vec<(i64, Vec<u8>)> = if level == 0 {
        le::ledger_entries
            .filter(le::seq.ge(lo).and(le::seq.lt(hi)))
            .order(le::seq.asc())
            .select((le::seq, le::hash))
            .load(conn)?
    } else {
        mn::merkle_nodes
            .filter(mn::level.eq(level as i32))
            .filter(mn::idx.ge(lo).and(mn::idx.lt(hi)))
            .order(mn::idx.asc())
            .select((mn::idx, mn::hash))
            .load(conn)?
    };
    let mut hashes = Vec::with_capacity(rows.len());
    for (expected, (index, bytes)) in range.zip(rows) {
        let id = NodeId {
            level: level as u8,
            index: index as u64,
        };
        if index as u64 != expected {
            return Err(missing(NodeId {
                index: expected,
                ..id
            }));
        }
        hashes.push(to_hash(id, &bytes)?);
    }
    if hashes.len() as i64 != hi - lo {
        let index = lo as u64 + hashes.len() as u64;
        return Err(missing(NodeId {
            level: level as u8,
            index,
        }));
    }
    Ok(hashes)
}

fn missing(id: NodeId) -> LedgerError {
    LedgerError::TreeIncomplete {
        level: id.level,
        index: id.index,
    }
}

fn to_hash(id: NodeId, bytes: &[u8]) -> Result<Hash, LedgerError> {
    bytes.try_into().map_err(|_| LedgerError::Corrupt {
        seq: id.leaves().start as i64,
        reason: format!(
            "stored Merkle node (level {}, index {}) is not 32 bytes",
            id.level, id.index
        ),
    })
}

/// The stored hashes of `ids` that exist: entries' own hashes at level 0, stored subtrees
/// above. Two queries at most, each for a few dozen keys.
pub(super) fn read_nodes(
    conn: &mut DbConn,
    ids: &[NodeId],
) -> Result<HashMap<NodeId, Hash>, LedgerError> {
    let mut found = HashMap::with_capacity(ids.len());
    let leaves: Vec<i64> = ids
        .iter()
        .filter(|id| id.level == 0)
        .map(|id| id.index as i64)
        .collect();
    if !leaves.is_empty() {
        let rows: Vec<(i64, Vec<u8>)> = le::ledger_entries
            .filter(le::seq.eq_any(leaves))
            .select((le::seq, le::hash))
            .load(conn)?;
        for (seq, bytes) in rows {
            let id = NodeId {
                level: 0,
                index: seq as u64,
            };
            found.insert(id, to_hash(id, &bytes)?);
        }
    }
    let mut nodes = ids.iter().filter(|id| id.level > 0).peekable();
    if nodes.peek().is_some() {
        let mut query = mn::merkle_nodes
            .select((mn::level, mn::idx, mn::hash))
            .into_boxed();
        for id in nodes {
            query = query.or_filter(
                mn::level
                    .eq(i32::from(id.level))
                    .and(mn::idx.eq(id.index as i64)),
            );
        }
        let rows: Vec<(i32, i64, Vec<u8>)> = query.load(conn)?;
        for (level, index, bytes) in rows {
            let id = NodeId {
                level: level as u8,
                index: index as u64,
            };
            found.insert(id, to_hash(id, &bytes)?);
        }
    }
    Ok(found)
}

/// At each level, the first stored node that covers an entry at or after `size`.
pub(super) fn nodes_beyond(conn: &mut DbConn, size: u64) -> Result<Vec<NodeId>, LedgerError> {
    let top: Option<i32> = mn::merkle_nodes.select(max(mn::level)).first(conn)?;
    let mut beyond = Vec::new();
    for level in 1..=top.unwrap_or(0) {
        let first: Option<i64> = mn::merkle_nodes
            .filter(mn::level.eq(level))
            .filter(mn::idx.ge((size >> level) as i64))
            .select(mn::idx)
            .order(mn::idx.asc())
            .first(conn)
            .optional()?;
        beyond.extend(first.map(|index| NodeId {
            level: level as u8,
            index: index as u64,
        }));
    }
    Ok(beyond)
}

/// Proof that entry `index` is in the tree of the first `size` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub index: u64,
    pub size: u64,
    pub leaf: Hash,
    pub root: Hash,
    pub proof: Vec<Hash>,
}

/// Proof that the tree of `to` entries extends the tree of `from` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    pub from_root: Hash,
    pub to_root: Hash,
    pub proof: Vec<Hash>,
}

/// The root of the tree of the first `size` entries.
pub fn root(conn: &mut DbConn, size: u64) -> Result<Hash, LedgerError> {
    if size == 0 {
        return Ok(merkle::empty_root());
    }
    within_ledger(conn, size)?;
    Ok(hashes_of(conn, std::slice::from_ref(&(0..size)))?[0])
}

/// The root of the first `size` entries' tree from the stored subtrees, for a caller that
/// knows the ledger holds them (the appender, which just wrote them).
pub(super) fn root_of_stored(conn: &mut DbConn, size: u64) -> Result<Hash, LedgerError> {
    if size == 0 {
        return Ok(merkle::empty_root());
    }
    Ok(hashes_of(conn, std::slice::from_ref(&(0..size)))?[0])
}

pub fn inclusion_proof(
    conn: &mut DbConn,
    index: u64,
    size: u64,
) -> Result<InclusionProof, LedgerError> {
    let path = merkle::inclusion_path(index, size)?;
    within_ledger(conn, size)?;
    let mut ranges = vec![index..index + 1, 0..size];
    ranges.extend(path);
    let hashes = hashes_of(conn, &ranges)?;
    Ok(InclusionProof {
        index,
        size,
        leaf: hashes[0],
        root: hashes[1],
        proof: hashes[2..].to_vec(),
    })
}

pub fn consistency_proof(
    conn: &mut DbConn,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, LedgerError> {
    let path = merkle::consistency_path(from, to)?;
    within_ledger(conn, to)?;
    let mut ranges = vec![0..from, 0..to];
    ranges.extend(path);
    let hashes = hashes_of(conn, &ranges)?;
    Ok(ConsistencyProof {
        from,
        to,
        from_root: hashes[0],
        to_root: hashes[1],
        proof: hashes[2..].to_vec(),
    })
}

fn within_ledger(conn: &mut DbConn, size: u64) -> Result<(), LedgerError> {
    let entries = ledger_size(conn)?;
    if size > entries {
        return Err(LedgerError::BeyondLedger { size, entries });
    }
    Ok(())
}

/// The hash of each range (each a node of an RFC 6962 tree), from the stored subtrees that
/// make it up, read in one go.
fn hashes_of(conn: &mut DbConn, ranges: &[Range<u64>]) -> Result<Vec<Hash>, LedgerError> {
    let pieces: Vec<Vec<NodeId>> = ranges.iter().cloned().map(merkle::subtrees).collect();
    let mut ids: Vec<NodeId> = pieces.iter().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let stored = read_nodes(conn, &ids)?;
    pieces
        .iter()
        .map(|run| {
            let hashes = run
                .iter()
                .map(|id| stored.get(id).copied().ok_or_else(|| missing(*id)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(merkle::fold(&hashes).unwrap_or_else(merkle::empty_root))
        })
        .collect()
}
