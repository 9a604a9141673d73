//! The one way async code runs blocking database work: on the blocking thread pool, inside
//! the caller's tracing span, with panics turned into errors, on the connection its request
//! pinned if it did ([`Pinned`]), and with the ledger's group commit and tree-head signer in
//! reach of every ledger write it makes. Apart from `db`, which knows nothing of the ledger.

mod pinned;

pub use pinned::Pinned;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::db::{DbConn, DbError, Pool};
use crate::ledger::{group, heads, GroupCommit, Sealer, StreamReads};

/// What the requests of this instance cost the database so far: statements, and reads of a
/// batch's or a template's stream. Counted around every piece of work [`Db::run`] runs (so
/// background work on threads of its own is not in it); the metrics show them.
#[derive(Default)]
pub struct WorkCounts {
    queries: AtomicU64,
    batch_reads: AtomicU64,
    template_reads: AtomicU64,
}

/// A reading of [`WorkCounts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkCount {
    pub queries: u64,
    pub batch_reads: u64,
    pub template_reads: u64,
}

impl WorkCounts {
    pub fn read(&self) -> WorkCount {
        WorkCount {
            queries: self.queries.load(Ordering::Relaxed),
            batch_reads: self.batch_reads.load(Ordering::Relaxed),
            template_reads: self.template_reads.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` on this thread and adds what it cost.
    fn count<T>(&self, work: impl FnOnce() -> T) -> T {
        let (queries, reads) = (
            crate::db::queries_on_this_thread(),
            crate::ledger::stream_reads_on_this_thread(),
        );
        let done = work();
        let StreamReads {
            batch, template, ..
        } = crate::ledger::stream_reads_on_this_thread();
        let add = |counter: &AtomicU64, now: u64, before: u64| {
            counter.fetch_add(now.saturating_sub(before), Ordering::Relaxed);
        };
        add(&self.queries, crate::db::queries_on_this_thread(), queries);
        add(&self.batch_reads, batch, reads.batch);
        add(&self.template_reads, template, reads.template);
        done
    }
}

/// The pool plus the one way async code runs database work: on the blocking thread pool,
/// inside the caller's tracing span, with panics turned into errors. Ledger writes made in
/// that work join the instance's group commit ([`crate::ledger::GroupCommit`]).
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    group: Option<Arc<GroupCommit>>,
    sealer: Option<Arc<Sealer>>,
    counts: Arc<WorkCounts>,
}

impl Db {
    /// `group`: the group commit ledger writes join, or `None` for one transaction each;
    /// `sealer`: signs the tree head each commit leaves (`None` only for tools that never
    /// write).
    pub fn new(pool: Pool, group: Option<Arc<GroupCommit>>, sealer: Option<Arc<Sealer>>) -> Self {
        Db {
            pool,
            group,
            sealer,
            counts: Arc::default(),
        }
    }

    /// What this instance's requests cost the database so far.
    pub fn work_counts(&self) -> WorkCount {
        self.counts.read()
    }

    /// The signer of tree heads, and with it whether this instance trusts its ledger.
    pub fn sealer(&self) -> Option<&Arc<Sealer>> {
        self.sealer.as_ref()
    }

    /// Whether this instance trusts its ledger (and so writes).
    pub fn ledger_trusted(&self) -> bool {
        self.sealer
            .as_ref()
            .is_none_or(|sealer| sealer.trust().is_trusted())
    }

    /// Open and idle connections of the pool, and its size, for the metrics.
    pub fn pool_usage(&self) -> (u32, u32, u32) {
        let state = self.pool.state();
        (
            state.connections,
            state.idle_connections,
            self.pool.max_size(),
        )
    }

    /// The same on the calling thread, for work that runs on a thread of its own (the
    /// background checkpoint signer).
    pub fn run_here<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<DbError>,
    {
        let mut conn = self.pool.get().map_err(DbError::from)?;
        heads::within(self.sealer.as_ref(), || {
            group::within(self.group.as_ref(), || work(&mut conn))
        })
    }

    /// Takes a connection out of the pool for one request ([`Pinned::scope`]).
    pub async fn pin(&self) -> Result<Pinned, DbError> {
        let pool = self.pool.clone();
        actix_web::web::block(move || pool.get().map(Pinned::new).map_err(DbError::from))
            .await
            .unwrap_or(Err(DbError::TaskFailed))
    }

    /// Runs database work: on the connection the request being served pinned, if it did
    /// ([`Pinned::scope`]), else on one from the pool.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let group = self.group.clone();
        let sealer = self.sealer.clone();
        let pinned = Pinned::current();
        let span = tracing::Span::current();
        let counts = self.counts.clone();
        let task = actix_web::web::block(move || {
            let _entered = span.enter();
            heads::within(sealer.as_ref(), || {
                group::within(group.as_ref(), || match pinned {
                    Some(pinned) => counts.count(|| pinned.with(work)),
                    None => {
                        let mut conn = pool.get().map_err(DbError::from)?;
                        counts.count(|| work(&mut conn))
                    }
                })
            })
        });
        task.await
            .unwrap_or_else(|_| Err(DbError::TaskFailed.into()))
    }
}
