//! The one shape of every write (`../shared/design/events.md`): in one transaction, read the
//! stream, let the domain decide on its events, append what it decided at the position it
//! read, and update the projections. A decision made on a stream that has moved on is never
//! appended: the stream position is checked at the append, and against `If-Match` before.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::{DomainError, Recorded};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Appender, Entry, NewEvent, Stream};

/// What the domain decided.
pub enum Decision<E> {
    /// Append these events.
    Accept(Vec<E>),
    /// Refuse the command, but record these events first: a security event (a chain of
    /// identity mismatch) must be in the ledger even though nothing else happened.
    RefuseAndRecord {
        record: Vec<E>,
        refusal: DomainError,
    },
}

/// The events a command appended, as recorded, with their entries (for signatures).
pub struct Appended<E> {
    pub events: Vec<Recorded<E>>,
    pub entries: Vec<Entry>,
    /// The stream's position after the command: its new `ETag`.
    pub position: i64,
}

/// Runs one command on one stream in its own transaction. `decide` gets the transaction's
/// connection, to read the other streams a rule needs (the lots a step uses), and the stream's
/// events; `then` runs after the append in the same transaction (projections, signatures). A
/// refusal that records events commits them and then answers the refusal.
pub fn execute<E, T>(
    conn: &mut DbConn,
    stream: &Stream,
    actor: &Actor,
    if_match: Option<i64>,
    decide: impl FnOnce(&mut DbConn, &[Recorded<E>]) -> Result<Decision<E>, ServiceError>,
    then: impl FnOnce(&mut Appender<'_>, &Appended<E>) -> Result<T, ServiceError>,
) -> Result<T, ServiceError>
where
    E: Serialize + DeserializeOwned,
{
    let outcome = ledger::write(conn, |tx| {
        let (appended, refusal) = decide_and_append(tx, stream, actor, if_match, decide)?;
        let result = then(tx, &appended)?;
        Ok::<_, ServiceError>(match refusal {
            None => Ok(result),
            Some(refusal) => Err(refusal),
        })
    })?;
    Ok(outcome?)
}

/// What a command decides on when it is more than its stream's events: an aggregate folded
/// once, which the command path then carries through the append to the projections and to
/// the answer (a write reads its stream once; nothing folds it again to know where it is).
pub trait Aggregate {
    type Event: Serialize + DeserializeOwned + Clone;
    /// The number of events folded into it: where the next one is appended.
    fn position(&self) -> i64;
    /// The aggregate after one more event of its stream, as appended.
    fn extend(&mut self, recorded: Recorded<Self::Event>);
}

/// Runs one command on one aggregate in its own transaction: `load` reads and folds it (once),
/// `decide` decides on it, what it decided is appended at its position and applied to it, and
/// `then` runs in the same transaction with the aggregate as it now stands (signatures append
/// to it; projections are written from it). Returns the aggregate as committed, with what
/// `then` returned.
pub fn execute_on<A: Aggregate, T>(
    conn: &mut DbConn,
    (stream, actor): (&Stream, &Actor),
    if_match: Option<i64>,
    load: impl FnOnce(&mut DbConn) -> Result<A, ServiceError>,
    decide: impl FnOnce(&mut DbConn, &A) -> Result<Decision<A::Event>, ServiceError>,
    then: impl FnOnce(&mut Appender<'_>, &Appended<A::Event>, &mut A) -> Result<T, ServiceError>,
) -> Result<(A, T), ServiceError> {
    let outcome = ledger::write(conn, |tx| {
        let mut aggregate = load(tx.conn())?;
        let position = aggregate.position();
        check_precondition(if_match, position)?;
        let (new, refusal) = match decide(tx.conn(), &aggregate)? {
            Decision::Accept(new) => (new, None),
            Decision::RefuseAndRecord { record, refusal } => (record, Some(refusal)),
        };
        let appended = append_all(tx, stream, actor, position, new)?;
        for recorded in &appended.events {
            aggregate.extend(recorded.clone());
        }
        let result = then(tx, &appended, &mut aggregate)?;
        Ok::<_, ServiceError>(match refusal {
            None => Ok((aggregate, result)),
            Some(refusal) => Err(refusal),
        })
    })?;
    Ok(outcome?)
}

fn check_precondition(if_match: Option<i64>, position: i64) -> Result<(), ServiceError> {
    match if_match {
        Some(expected) if expected != position => Err(ServiceError::PreconditionFailed {
            expected,
            actual: position,
        }),
        _ => Ok(()),
    }
}

/// The same inside a transaction the caller holds (when the stream's name is only known once
/// the append lock is held, as for a new batch's number). Returns what was appended and, for
/// a decision that refuses but records, the refusal to answer after the commit.
pub fn decide_and_append<E>(
    tx: &mut Appender<'_>,
    stream: &Stream,
    actor: &Actor,
    if_match: Option<i64>,
    decide: impl FnOnce(&mut DbConn, &[Recorded<E>]) -> Result<Decision<E>, ServiceError>,
) -> Result<(Appended<E>, Option<DomainError>), ServiceError>
where
    E: Serialize + DeserializeOwned,
{
    let events = ledger::stream_events::<E>(tx.conn(), stream)?;
    let position = i64::try_from(events.len()).unwrap_or(i64::MAX);
    check_precondition(if_match, position)?;
    let (new, refusal) = match decide(tx.conn(), &events)? {
        Decision::Accept(new) => (new, None),
        Decision::RefuseAndRecord { record, refusal } => (record, Some(refusal)),
    };
    Ok((append_all(tx, stream, actor, position, new)?, refusal))
}

fn append_all<E: Serialize + DeserializeOwned>(
    tx: &mut Appender<'_>,
    stream: &Stream,
    actor: &Actor,
    position: i64,
    new: Vec<E>,
) -> Result<Appended<E>, ServiceError> {
    let mut appended = Appended {
        events: Vec::with_capacity(new.len()),
        entries: Vec::with_capacity(new.len()),
        position,
    };
    for event in new {
        let entry = tx.append_at(
            actor,
            NewEvent::typed(stream.clone(), &event)?,
            appended.position,
        )?;
        appended.events.push(ledger::decode(&entry)?);
        appended.entries.push(entry);
        appended.position += 1;
    }
    Ok(appended)
}
