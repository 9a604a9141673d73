//! The single writer of ledger rows (and of the Merkle subtrees each entry completes).

use chrono::Utc;
use diesel::prelude::*;

use super::canonical::{Hash, ZERO_HASH};
use super::entry::{format_recorded_at, Actor, Entry, NewEvent, Position, Stream};
use super::{tree, LedgerError};
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

/// Runs `work` in one database transaction that holds the ledger's append lock from its first
/// statement. The caller's domain checks read state through [`Appender::conn`] and appends
/// through [`Appender::append`]; all of it commits together or not at all, so two requests can
/// never both pass a check and both append.
pub fn write<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Appender<'_>) -> Result<T, E>,
    E: From<diesel::result::Error> + From<LedgerError>,
{
    conn.transaction(|conn| {
        take_append_lock(conn)?;
        let mut appender = Appender { conn, head: None };
        work(&mut appender)
    })
}

/// Serializes appends in the database, never in process memory, so any number of processes
/// and app instances stay linear. The statement writes the one-row head table: on PostgreSQL
/// that takes its row lock until commit; on SQLite the first write of a transaction takes the
/// database write lock (waiting up to `busy_timeout`) before anything is read, so no
/// transaction appends from a stale snapshot.
fn take_append_lock(conn: &mut DbConn) -> Result<(), LedgerError> {
    let locked = diesel::sql_query("UPDATE ledger_head SET id = id WHERE id = 1").execute(conn)?;
    if locked == 1 {
        Ok(())
    } else {
        Err(LedgerError::Corrupt {
            seq: -1,
            reason: "the ledger_head row is missing".to_owned(),
        })
    }
}

/// Appends within a [`write`] transaction.
pub struct Appender<'c> {
    conn: &'c mut DbConn,
    /// Next seq and the hash it links to, once read in this transaction.
    head: Option<(i64, Hash)>,
}

impl Appender<'_> {
    /// The transaction's connection, for domain checks and projection writes.
    pub fn conn(&mut self) -> &mut DbConn {
        self.conn
    }

    #[tracing::instrument(skip_all, fields(stream = event.stream.as_str(), kind = event.kind.as_str()))]
    pub fn append(&mut self, actor: &Actor, event: NewEvent) -> Result<Entry, LedgerError> {
        let (seq, prev_hash) = self.global_head()?;
        let (stream_seq, stream_prev_hash) = self.stream_head(&event.stream)?;
        let entry = Entry::seal(
            Position {
                seq,
                prev_hash,
                stream_seq,
                stream_prev_hash,
            },
            actor,
            &event,
            format_recorded_at(Utc::now()),
        )?;
        diesel::insert_into(le::ledger_entries)
            .values(&entry)
            .execute(self.conn)?;
        crate::metrics::ledger_appended(event.kind.as_str());
        let hash = entry.hash_array().unwrap_or(ZERO_HASH);
        tree::store_completed(self.conn, seq, &hash, &prev_hash)?;
        self.head = Some((seq + 1, hash));
        tracing::debug!(seq, "ledger entry appended");
        Ok(entry)
    }

    /// The stream's next `stream_seq`: how many events it holds. A client that read the
    /// stream at this position may act on it (`If-Match`).
    pub fn stream_position(&mut self, stream: &Stream) -> Result<i64, LedgerError> {
        Ok(self.stream_head(stream)?.0)
    }

    /// Appends only if the stream is still at `expected`: a decision made on an older state of
    /// the stream is refused, never appended.
    pub fn append_at(
        &mut self,
        actor: &Actor,
        event: NewEvent,
        expected: i64,
    ) -> Result<Entry, LedgerError> {
        let actual = self.stream_position(&event.stream)?;
        if actual != expected {
            return Err(LedgerError::Stale {
                stream: event.stream.as_str().to_owned(),
                expected,
                actual,
            });
        }
        self.append(actor, event)
    }

    fn global_head(&mut self) -> Result<(i64, Hash), LedgerError> {
        if let Some(head) = self.head {
            return Ok(head);
        }
        let last: Option<(i64, Vec<u8>)> = le::ledger_entries
            .select((le::seq, le::hash))
            .order(le::seq.desc())
            .first(self.conn)
            .optional()?;
        let head = match last {
            None => (0, ZERO_HASH),
            Some((seq, hash)) => (seq + 1, to_hash(seq, &hash)?),
        };
        self.head = Some(head);
        Ok(head)
    }

    fn stream_head(&mut self, stream: &Stream) -> Result<(i64, Hash), LedgerError> {
        let last: Option<(i64, i64, Vec<u8>)> = le::ledger_entries
            .filter(le::stream.eq(stream.as_str()))
            .select((le::seq, le::stream_seq, le::hash))
            .order(le::stream_seq.desc())
            .first(self.conn)
            .optional()?;
        match last {
            None => Ok((0, ZERO_HASH)),
            Some((seq, stream_seq, hash)) => Ok((stream_seq + 1, to_hash(seq, &hash)?)),
        }
    }
}

fn to_hash(seq: i64, bytes: &[u8]) -> Result<Hash, LedgerError> {
    bytes.try_into().map_err(|_| LedgerError::Corrupt {
        seq,
        reason: "stored hash is not 32 bytes".to_owned(),
    })
}
