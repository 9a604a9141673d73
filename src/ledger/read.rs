//! Reading entries back: one entry, a page in `seq` order, or one stream decoded into its
//! typed events.

use diesel::prelude::*;
use serde::de::DeserializeOwned;

use super::entry::{Entry, Stream};
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;
use crate::domain::Recorded;

pub fn entry_at(conn: &mut DbConn, seq: i64) -> Result<Option<Entry>, LedgerError> {
    Ok(le::ledger_entries
        .find(seq)
        .select(Entry::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` entries from `from` on, and the `from` of the next page if there is one.
pub fn page(
    conn: &mut DbConn,
    from: i64,
    limit: i64,
) -> Result<(Vec<Entry>, Option<i64>), LedgerError> {
    let mut entries: Vec<Entry> = le::ledger_entries
        .filter(le::seq.ge(from))
        .order(le::seq.asc())
        .limit(limit.saturating_add(1))
        .select(Entry::as_select())
        .load(conn)?;
    let has_more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if has_more {
        entries.last().map(|e| e.seq + 1)
    } else {
        None
    };
    Ok((entries, next))
}

/// Every entry of one stream, in order. Inside a [`super::write`] transaction this is the
/// state the caller decides on, and nobody can append to it before the transaction ends.
pub fn stream_entries(conn: &mut DbConn, stream: &Stream) -> Result<Vec<Entry>, LedgerError> {
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .order(le::stream_seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// One stream decoded into its typed events.
pub fn stream_events<E: DeserializeOwned>(
    conn: &mut DbConn,
    stream: &Stream,
) -> Result<Vec<Recorded<E>>, LedgerError> {
    stream_entries(conn, stream)?.iter().map(decode).collect()
}

/// The names of every stream that starts with `prefix` (e.g. `user/`), in order.
pub fn streams_with_prefix(conn: &mut DbConn, prefix: &str) -> Result<Vec<String>, LedgerError> {
    Ok(le::ledger_entries
        .filter(le::stream.like(format!("{prefix}%")))
        .filter(le::stream_seq.eq(0))
        .order(le::stream.asc())
        .select(le::stream)
        .load(conn)?)
}

/// The typed event an entry holds, decoded from its `kind` and `payload_bytes` (an enum with
/// `#[serde(tag = "kind", content = "payload")]`).
pub fn decode<E: DeserializeOwned>(entry: &Entry) -> Result<Recorded<E>, LedgerError> {
    let tagged = serde_json::json!({ "kind": entry.kind, "payload": entry.payload()? });
    let event = serde_json::from_value(tagged).map_err(|e| LedgerError::Corrupt {
        seq: entry.seq,
        reason: format!("{} does not decode: {e}", entry.kind),
    })?;
    Ok(Recorded {
        seq: entry.seq,
        stream_seq: entry.stream_seq,
        hash: hex::encode(&entry.hash),
        actor: entry.actor.clone(),
        recorded_at: entry.recorded_at.clone(),
        event,
    })
}

/// Every entry of one kind, in `seq` order.
pub fn entries_of_kind(conn: &mut DbConn, kind: &str) -> Result<Vec<Entry>, LedgerError> {
    Ok(le::ledger_entries
        .filter(le::kind.eq(kind))
        .order(le::seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// The entries of a stream that come after `seq`, in order.
pub fn stream_entries_after(
    conn: &mut DbConn,
    stream: &str,
    seq: i64,
) -> Result<Vec<Entry>, LedgerError> {
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream))
        .filter(le::seq.gt(seq))
        .order(le::seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}
