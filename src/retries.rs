//! Retries with an `Idempotency-Key`: a retry with the same key and the same request gets the
//! first answer again and appends nothing.
//!
//! The key is bound to the request's own database transaction: [`begin`] opens it on the
//! connection the request pinned and claims the key in it (an insert into a table whose
//! primary key is (user, key)); the request's write runs in that transaction (its
//! `ledger::write` becomes a savepoint); [`commit`] stores the answer with the claim and
//! commits, so the claim, the ledger entries and the kept answer are durable together or not
//! at all. A server killed mid-request leaves nothing, and the retry runs afresh; a committed
//! claim always holds its answer. A copy of the request racing the first waits at its own
//! claim for the first to commit (on the row on PostgreSQL, on the write lock on SQLite), then
//! gets the kept answer.

use chrono::NaiveDateTime;
use diesel::connection::{Connection, TransactionManager};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::idempotency_keys as keys;
use crate::db::DbConn;

type Transactions = <DbConn as Connection>::TransactionManager;

/// A kept answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = keys)]
pub struct Kept {
    pub fingerprint: String,
    /// Never `None` in a committed row written by this version; a row of an older version
    /// still running (a rolling upgrade) may lack it.
    pub status: Option<i32>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub body: Option<Vec<u8>>,
}

pub enum Claim {
    /// This request is the first with the key: run it; the transaction is open.
    New,
    /// A request with this key was answered before; no transaction is open.
    Seen(Kept),
}

/// The answer of a request to keep with its key.
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub etag: Option<&'a str>,
    pub body: &'a [u8],
}

/// How long an answer is kept for retries. Answers repeat what the record says (a batch's
/// patient code among it), so they are not kept longer than a client's retries need.
pub const RETENTION_HOURS: i64 = 24;

/// Forgets answers older than the retention. A statement of its own, outside any request's
/// transaction, so that two requests never wait on each other over old rows.
pub fn forget_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        keys::table.filter(keys::created_at.lt(now - chrono::Duration::hours(RETENTION_HOURS))),
    )
    .execute(conn)
    .map(drop)
}

/// Opens the request's transaction and claims `key` in it, or returns the answer the earlier
/// request with it left (and leaves no transaction open). The claim is the transaction's
/// first statement, so on SQLite it takes the write lock before anything is read.
pub fn begin(
    conn: &mut DbConn,
    username: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
) -> QueryResult<Claim> {
    Transactions::begin_transaction(conn)?;
    let inserted = diesel::insert_into(keys::table)
        .values((
            keys::username.eq(username),
            keys::key.eq(key),
            keys::fingerprint.eq(fingerprint),
            keys::created_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::New),
        Err(error) => {
            Transactions::rollback_transaction(conn)?;
            match error {
                // An earlier request holds the key, committed with its answer.
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    find(conn, username, key)?
                        .map(Claim::Seen)
                        .ok_or(DieselError::NotFound)
                }
                other => Err(other),
            }
        }
    }
}

fn find(conn: &mut DbConn, username: &str, key: &str) -> QueryResult<Option<Kept>> {
    keys::table
        .find((username, key))
        .select(Kept::as_select())
        .first(conn)
        .optional()
}

/// Ends the transaction [`begin`] opened and commits what the request did: with `answer`
/// kept under the key (a success), or with the key released (anything else: a refusal is
/// decided again on a retry; it may still have recorded events, a security event, which
/// commit). If this fails, nothing of the request is committed.
pub fn commit(
    conn: &mut DbConn,
    username: &str,
    key: &str,
    answer: Option<Answer<'_>>,
) -> QueryResult<()> {
    let claim = keys::table.find((username, key));
    let stored = match answer {
        Some(answer) => diesel::update(claim)
            .set((
                keys::status.eq(Some(i32::from(answer.status))),
                keys::content_type.eq(answer.content_type),
                keys::etag.eq(answer.etag),
                keys::body.eq(Some(answer.body)),
            ))
            .execute(conn),
        None => diesel::delete(claim).execute(conn),
    };
    match stored.and_then(|_| Transactions::commit_transaction(conn)) {
        Ok(()) => Ok(()),
        Err(error) => {
            abandon(conn);
            Err(error)
        }
    }
}

/// Rolls back the transaction [`begin`] opened (the answer could not be read): nothing of
/// the request is kept, and a retry runs it afresh.
pub fn abandon(conn: &mut DbConn) {
    let depth = Transactions::transaction_manager_status_mut(conn).transaction_depth();
    // A broken transaction manager is not rolled back here: the pool discards the connection.
    if matches!(depth, Ok(Some(_))) {
        if let Err(error) = Transactions::rollback_transaction(conn) {
            tracing::error!(%error, "could not roll back a request's transaction");
        }
    }
}
