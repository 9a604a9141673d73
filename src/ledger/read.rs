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

/// How many times this thread read a stream, by the kind of stream (the part of its name
/// before the `/`): `batch`, `template` or any other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamReads {
    pub batch: u64,
    pub template: u64,
    pub other: u64,
}

thread_local! {
    static STREAM_READS: std::cell::Cell<StreamReads> = const {
        std::cell::Cell::new(StreamReads { batch: 0, template: 0, other: 0 })
    };
}

/// The stream reads made on this thread so far (`crate::runner` counts them per piece of
/// work: a write that reads its stream more than once shows).
pub fn stream_reads_on_this_thread() -> StreamReads {
    STREAM_READS.with(std::cell::Cell::get)
}

fn count_read(stream: &str) {
    STREAM_READS.with(|reads| {
        let mut now = reads.get();
        match stream.split_once('/').map(|(kind, _)| kind) {
            Some("batch") => now.batch += 1,
            Some("template") => now.template += 1,
            _ => now.other += 1,
        }
        reads.set(now);
    });
}

/// Every entry of one stream, in order. Inside a [`super::write`] transaction this is the
/// state the caller decides on, and nobody can append to it before the transaction ends.
pub fn stream_entries(conn: &mut DbConn, stream: &Stream) -> Result<Vec<Entry>, LedgerError> {
    count_read(stream.as_str());
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .order(le::stream_seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// The entries of one stream from `seq` on, in order: what a reader that already folded the
/// stream up to the entry at `seq` needs to check that entry and catch up.
pub fn stream_entries_from(
    conn: &mut DbConn,
    stream: &Stream,
    seq: i64,
) -> Result<Vec<Entry>, LedgerError> {
    count_read(stream.as_str());
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .filter(le::seq.ge(seq))
        .order(le::seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// The payload digests of one stream's entries of one kind, in order, without their
/// payloads: enough to know which of them a reader already holds, decoded.
pub fn payload_digests(
    conn: &mut DbConn,
    stream: &Stream,
    kind: &str,
) -> Result<Vec<String>, LedgerError> {
    count_read(stream.as_str());
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .filter(le::kind.eq(kind))
        .order(le::seq.asc())
        .select(le::payload_sha256)
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
    count_read(stream);
    Ok(le::ledger_entries
        .filter(le::stream.eq(stream))
        .filter(le::seq.gt(seq))
        .order(le::seq.asc())
        .select(Entry::as_select())
        .load(conn)?)
}

/// What an audit-trail query selects; every field narrows it, `None` does not.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The exact stream, e.g. `batch/B-00001`.
    pub stream: Option<String>,
    /// The actor's username.
    pub actor: Option<String>,
    /// The exact event kind, e.g. `batch.step_recorded`.
    pub kind: Option<String>,
    /// `recorded_at` at or after this, in the form of [`super::format_recorded_at`].
    pub from: Option<String>,
    /// `recorded_at` strictly before this, in the same form.
    pub to: Option<String>,
    /// The first `seq` to answer.
    pub cursor: i64,
}

/// Up to `limit` entries that match `filter`, in `seq` order, and the `seq` to continue from
/// when more match. `recorded_at` compares as text: every stored value has the one form of
/// [`super::format_recorded_at`], which sorts as the time does.
pub fn audit_page(
    conn: &mut DbConn,
    filter: &AuditFilter,
    limit: i64,
) -> Result<(Vec<Entry>, Option<i64>), LedgerError> {
    let mut query = le::ledger_entries
        .filter(le::seq.ge(filter.cursor))
        .order(le::seq.asc())
        .limit(limit.saturating_add(1))
        .select(Entry::as_select())
        .into_boxed();
    if let Some(stream) = &filter.stream {
        query = query.filter(le::stream.eq(stream.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(le::actor.eq(actor.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(le::kind.eq(kind.clone()));
    }
    if let Some(from) = &filter.from {
        query = query.filter(le::recorded_at.ge(from.clone()));
    }
    if let Some(to) = &filter.to {
        query = query.filter(le::recorded_at.lt(to.clone()));
    }
    let mut entries: Vec<Entry> = query.load(conn)?;
    let has_more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if has_more {
        entries.last().map(|e| e.seq + 1)
    } else {
        None
    };
    Ok((entries, next))
}
