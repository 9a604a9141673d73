//! A batch as a write or a view needs it: its events, their fold, the template version it is
//! pinned to and the projection rows it has, read once. A write decides on it, applies what
//! it appended to it, writes the projection rows that changed and answers from it, so a signed
//! step reads its stream once and its template once.
//!
//! Folded batches are also kept between requests, by the seq and hash of their last entry: a
//! read then fetches only that entry and what came after it, and a write to a long batch costs
//! what a write to a short one does. An entry never changes (the database refuses it), and its
//! hash covers every entry before it, so a kept fold whose last entry still has its hash is
//! the fold of the stream up to there; anything else (another database, a rolled-back write)
//! is read again from the start.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use lru::LruCache;

use super::{stream, unknown};
use crate::command::Aggregate;
use crate::db::DbConn;
use crate::domain::batch::{Batch, BatchEvent};
use crate::domain::template::Template;
use crate::domain::Recorded;
use crate::error::ServiceError;
use crate::ledger::{self, Entry, Stream};
use crate::services::projections::batches::{self as rows, Projected};

#[derive(Clone)]
pub struct Folded {
    pub events: Vec<Recorded<BatchEvent>>,
    pub batch: Batch,
    pub template: Template,
    /// The projection rows the batch has in the database at this position.
    projected: Projected,
}

impl Aggregate for Folded {
    type Event = BatchEvent;

    fn position(&self) -> i64 {
        i64::try_from(self.events.len()).unwrap_or(i64::MAX)
    }

    fn extend(&mut self, recorded: Recorded<BatchEvent>) {
        self.batch.extend(&recorded);
        self.events.push(recorded);
    }
}

impl Folded {
    /// A batch just created: its first events and the template it was created on; it has no
    /// projection rows yet.
    pub(super) fn created(
        events: Vec<Recorded<BatchEvent>>,
        template: Template,
        batch_number: &str,
    ) -> Result<Folded, ServiceError> {
        let batch = Batch::fold(&events)?.ok_or_else(|| unknown(batch_number))?;
        Ok(Folded {
            events,
            batch,
            template,
            projected: Projected::default(),
        })
    }

    /// The batch as its stream holds it now.
    pub fn read(conn: &mut DbConn, batch_number: &str) -> Result<Folded, ServiceError> {
        let stream = stream(batch_number)?;
        if let Some(kept) = kept::take(stream.as_str()) {
            if let Some(caught_up) = kept.catch_up(conn, &stream)? {
                return Ok(caught_up);
            }
        }
        Folded::from_start(conn, &stream, batch_number)
    }

    fn from_start(
        conn: &mut DbConn,
        stream: &Stream,
        batch_number: &str,
    ) -> Result<Folded, ServiceError> {
        let events = ledger::stream_events::<BatchEvent>(conn, stream)?;
        let batch = Batch::fold(&events)?.ok_or_else(|| unknown(batch_number))?;
        let created = &batch.created;
        let template = crate::services::template_versions::pinned_version(
            conn,
            &created.template_code,
            created.template_version,
        )?;
        let position = i64::try_from(events.len()).unwrap_or(i64::MAX);
        let projected = Projected::of(&batch, &template, position);
        Ok(Folded {
            events,
            batch,
            template,
            projected,
        })
    }

    /// This fold brought up to the stream's end, if its last entry is still the stream's
    /// entry at that seq; `None` when it is not (read the stream again).
    fn catch_up(
        mut self,
        conn: &mut DbConn,
        stream: &Stream,
    ) -> Result<Option<Folded>, ServiceError> {
        let Some(last) = self.events.last() else {
            return Ok(None);
        };
        let entries = ledger::stream_entries_from(conn, stream, last.seq)?;
        let Some((first, newer)) = entries.split_first() else {
            return Ok(None);
        };
        if !is_entry(first, last) {
            return Ok(None);
        }
        for entry in newer {
            self.extend(ledger::decode(entry)?);
        }
        self.projected = Projected::of(&self.batch, &self.template, self.position());
        Ok(Some(self))
    }

    /// Writes the projection rows that changed since this fold was read or last projected.
    pub(super) fn project(&mut self, conn: &mut DbConn) -> Result<(), ServiceError> {
        let now = Projected::of(&self.batch, &self.template, self.position());
        rows::write_changes(conn, &self.projected, &now)?;
        self.projected = now;
        Ok(())
    }

    /// Keeps this fold for the next read of its batch. Call it only once what it holds is
    /// committed (a rolled-back write's fold would be caught by its last hash, but need not
    /// take a place).
    pub fn keep(self) {
        kept::put(&self.batch.created.batch_number.clone(), self);
    }
}

fn is_entry(entry: &Entry, recorded: &Recorded<BatchEvent>) -> bool {
    entry.seq == recorded.seq && hex::encode(&entry.hash) == recorded.hash
}

mod kept {
    use super::{LruCache, Mutex, NonZeroUsize, PoisonError};
    use crate::services::batches::Folded;

    /// Batches in work at one time on one site: a few dozen. Each kept fold is a batch's
    /// events and its template (tens of KB); the bound keeps the whole well under 50 MB.
    const KEPT: NonZeroUsize = NonZeroUsize::new(512).expect("non-zero");
    static FOLDS: Mutex<Option<LruCache<String, Folded>>> = Mutex::new(None);

    /// Takes the kept fold out, so that two writers never extend one copy.
    pub(super) fn take(stream: &str) -> Option<Folded> {
        let mut folds = FOLDS.lock().unwrap_or_else(PoisonError::into_inner);
        folds.as_mut()?.pop(stream)
    }

    pub(super) fn put(batch_number: &str, folded: Folded) {
        let mut folds = FOLDS.lock().unwrap_or_else(PoisonError::into_inner);
        folds
            .get_or_insert_with(|| LruCache::new(KEPT))
            .put(format!("batch/{batch_number}"), folded);
    }
}
