//! The single writer of ledger rows (and of the Merkle subtrees each entry completes).

use chrono::Utc;
use diesel::connection::{Connection, TransactionManager};
use diesel::prelude::*;

use super::canonical::{Hash, ZERO_HASH};
use super::entry::{format_recorded_at, Actor, Entry, NewEvent, Position, Stream};
use super::lock::{take_append_lock, to_hash, Head};
use super::{group, tree, LedgerError};
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

type Transactions = <DbConn as Connection>::TransactionManager;

/// Runs `work` in a database transaction that holds the ledger's append lock from its first
/// statement. The caller's domain checks read state through [`Appender::conn`] and appends
/// through [`Appender::append`]; all of it commits together or not at all, so two requests can
/// never both pass a check and both append.
///
/// When the service is running (`Db::run` names the process's [`group::GroupCommit`]) and the
/// caller holds no transaction of its own, `work` joins a group: writers waiting at the same
/// time share one transaction and one commit, each in its own savepoint, and `write` returns
/// only once the group has committed. Otherwise (a transaction the caller opened, such as an
/// `Idempotency-Key` request's, or a tool without the service) it runs in a transaction, or
/// savepoint, of its own.
pub fn write<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut Appender<'_>) -> Result<T, E>,
    E: From<diesel::result::Error> + From<LedgerError>,
{
    if !in_transaction(conn) {
        if let Some(group) = group::current() {
            return group.run(work);
        }
    }
    let sealer = super::heads::current();
    conn.transaction(|conn| {
        let head = lock_checked(conn, sealer.as_deref())?;
        let mut appender = Appender::new(conn, head);
        let done = work(&mut appender)?;
        let left = appender.head();
        if let Some(sealer) = &sealer {
            seal_if_moved(conn, sealer, head, left)?;
        }
        Ok(done)
    })
}

/// Takes the append lock and, when the service signs heads, checks that the ledger ends where
/// the newest signed head says (see [`super::heads::Sealer::check_head`]).
pub(super) fn lock_checked(
    conn: &mut DbConn,
    sealer: Option<&super::heads::Sealer>,
) -> Result<Head, LedgerError> {
    if let Some(sealer) = sealer {
        sealer.trust().ensure()?;
    }
    let head = take_append_lock(conn)?;
    if let Some(sealer) = sealer {
        sealer.check_head(conn, head).map_err(|error| match error {
            LedgerError::HeadMismatch(reason) => {
                sealer.trust().distrust(head.next_seq, reason.clone());
                LedgerError::HeadMismatch(reason)
            }
            other => other,
        })?;
    }
    Ok(head)
}

/// Signs the head a transaction leaves, if it appended anything.
pub(super) fn seal_if_moved(
    conn: &mut DbConn,
    sealer: &super::heads::Sealer,
    locked: Head,
    left: Head,
) -> Result<(), LedgerError> {
    if left == locked {
        return Ok(());
    }
    sealer.seal(conn, left).map(|_| ())
}

/// Runs `work` in a transaction (or savepoint) that holds the append lock and appends nothing:
/// for a check that must see one state of the ledger and may write scratch rows it then rolls
/// back (the projections' replay), also on a ledger this instance no longer trusts, since it
/// records nothing.
pub fn under_lock<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error> + From<LedgerError>,
{
    conn.transaction(|conn| {
        take_append_lock(conn)?;
        work(conn)
    })
}

pub(super) fn in_transaction(conn: &mut DbConn) -> bool {
    matches!(
        Transactions::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(Some(_))
    )
}

/// Appends within a [`write`] transaction.
pub struct Appender<'c> {
    conn: &'c mut DbConn,
    /// Where the next entry goes (the database moves the lock row's copy with each insert).
    head: Head,
}

impl<'c> Appender<'c> {
    pub(super) fn new(conn: &'c mut DbConn, head: Head) -> Self {
        Appender { conn, head }
    }

    pub(super) fn head(&self) -> Head {
        self.head
    }

    /// The transaction's connection, for domain checks and projection writes.
    pub fn conn(&mut self) -> &mut DbConn {
        self.conn
    }

    pub fn append(&mut self, actor: &Actor, event: NewEvent) -> Result<Entry, LedgerError> {
        let stream_head = self.stream_head(&event.stream)?;
        self.append_after(actor, event, stream_head)
    }

    /// Appends `event` after `stream_head`, its stream's next `stream_seq` and last hash, as
    /// just read in this transaction.
    #[tracing::instrument(skip_all, fields(stream = event.stream.as_str(), kind = event.kind.as_str()))]
    fn append_after(
        &mut self,
        actor: &Actor,
        event: NewEvent,
        (stream_seq, stream_prev_hash): (i64, Hash),
    ) -> Result<Entry, LedgerError> {
        if let Some(sealer) = super::heads::current() {
            sealer
                .trust()
                .ensure_allows(event.stream.as_str(), event.kind.as_str())?;
        }
        let Head {
            next_seq: seq,
            hash: prev_hash,
        } = self.head;
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
        tree::store_completed(self.conn, seq, &hash, &prev_hash).inspect_err(|error| {
            if let (LedgerError::NodeConflict { .. }, Some(sealer)) =
                (error, super::heads::current())
            {
                sealer.trust().distrust(seq, error.to_string());
            }
        })?;
        self.head = Head {
            next_seq: seq + 1,
            hash,
        };
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
        let stream_head = self.stream_head(&event.stream)?;
        let actual = stream_head.0;
        if actual != expected {
            return Err(LedgerError::Stale {
                stream: event.stream.as_str().to_owned(),
                expected,
                actual,
            });
        }
        self.append_after(actor, event, stream_head)
    }

    fn stream_head(&mut self, stream: &Stream) -> Result<(i64, Hash), LedgerError> {
        match stream_tip(self.conn, stream)? {
            None => Ok((0, ZERO_HASH)),
            Some(tip) => Ok((tip.stream_seq + 1, tip.hash)),
        }
    }
}

/// The newest entry of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamTip {
    pub seq: i64,
    pub stream_seq: i64,
    pub hash: Hash,
}

/// The newest entry of `stream`, if it has any.
pub fn stream_tip(conn: &mut DbConn, stream: &Stream) -> Result<Option<StreamTip>, LedgerError> {
    let last: Option<(i64, i64, Vec<u8>)> = le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .select((le::seq, le::stream_seq, le::hash))
        .order(le::stream_seq.desc())
        .first(conn)
        .optional()?;
    tip_of(last)
}

/// The newest entry of `stream` whose kind begins with `kind_prefix` (`user.`: an account's
/// own events, not the signatures applied to them).
pub fn newest_of_kind(
    conn: &mut DbConn,
    stream: &Stream,
    kind_prefix: &str,
) -> Result<Option<StreamTip>, LedgerError> {
    let last: Option<(i64, i64, Vec<u8>)> = le::ledger_entries
        .filter(le::stream.eq(stream.as_str()))
        .filter(le::kind.like(format!("{kind_prefix}%")))
        .select((le::seq, le::stream_seq, le::hash))
        .order(le::stream_seq.desc())
        .first(conn)
        .optional()?;
    tip_of(last)
}

fn tip_of(last: Option<(i64, i64, Vec<u8>)>) -> Result<Option<StreamTip>, LedgerError> {
    last.map(|(seq, stream_seq, hash)| {
        Ok(StreamTip {
            seq,
            stream_seq,
            hash: to_hash(seq, &hash)?,
        })
    })
    .transpose()
}
