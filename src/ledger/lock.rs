//! The append lock: the one-row `ledger_head` table whose row every writer takes first, and
//! where the next entry goes. A leaf of the ledger, so that the writer, the tree heads and the
//! audit all read it without reading each other.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary};

use super::canonical::Hash;
use super::LedgerError;
use crate::db::DbConn;

/// Where the next entry goes: its `seq` and the hash it links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    pub next_seq: i64,
    pub hash: Hash,
}

#[derive(QueryableByName)]
struct HeadRow {
    #[diesel(sql_type = BigInt)]
    next_seq: i64,
    #[diesel(sql_type = Binary)]
    head_hash: Vec<u8>,
}

/// Serializes appends in the database, never in process memory, so any number of processes
/// and app instances stay linear, and answers where to append (the lock row's position, which
/// an `AFTER INSERT` trigger on `ledger_entries` keeps). The statement writes the
/// one-row head table: on PostgreSQL that takes its row lock until commit; on SQLite the first
/// write of a transaction takes the database write lock (waiting up to `busy_timeout`) before
/// anything is read, so no transaction appends from a stale snapshot.
pub(super) fn take_append_lock(conn: &mut DbConn) -> Result<Head, LedgerError> {
    let rows: Vec<HeadRow> = diesel::sql_query(
        "UPDATE ledger_head SET id = id WHERE id = 1 RETURNING next_seq, head_hash",
    )
    .load(conn)?;
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| LedgerError::Corrupt {
            seq: -1,
            reason: "the ledger_head row is missing".to_owned(),
        })?;
    Ok(Head {
        next_seq: row.next_seq,
        hash: to_hash(row.next_seq - 1, &row.head_hash)?,
    })
}

/// A stored hash, which must be 32 bytes.
pub(super) fn to_hash(seq: i64, bytes: &[u8]) -> Result<Hash, LedgerError> {
    bytes.try_into().map_err(|_| LedgerError::Corrupt {
        seq,
        reason: "stored hash is not 32 bytes".to_owned(),
    })
}
