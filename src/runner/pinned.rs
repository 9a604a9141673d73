//! One connection held for a whole request: every [`super::Db::run`] made while a request runs
//! inside [`Pinned::scope`] uses it, so that work the request spreads over several calls (its
//! write, then the read its answer is built from) can share one transaction that the caller
//! opens before and commits after. The idempotency layer binds a key to the write this way.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::db::{ConnectionManager, DbConn, DbError};

type Pooled = r2d2::PooledConnection<ConnectionManager>;

tokio::task_local! {
    static PINNED: Pinned;
}

/// A pooled connection shared by the calls of one request. Dropped with a transaction still
/// open (a request whose future was dropped), the pool discards it (`has_broken`), and closing
/// it rolls the transaction back: nothing half-done is committed or handed to another request.
#[derive(Clone)]
pub struct Pinned(Arc<Mutex<Pooled>>);

impl Pinned {
    pub(super) fn new(conn: Pooled) -> Self {
        Pinned(Arc::new(Mutex::new(conn)))
    }

    /// The connection pinned by the request being served, if any.
    pub(super) fn current() -> Option<Pinned> {
        PINNED.try_with(Clone::clone).ok()
    }

    /// Runs `work` on the connection (blocking: call it on a blocking thread).
    pub(super) fn with<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E>,
        E: From<DbError>,
    {
        // A panic while holding it leaves its transaction in an unknown state: refuse it.
        let mut conn = self.0.lock().map_err(|_| DbError::TaskFailed)?;
        work(&mut conn)
    }

    /// Runs `work` on the connection on a blocking thread.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pinned = self.clone();
        actix_web::web::block(move || pinned.with(work))
            .await
            .unwrap_or_else(|_| Err(DbError::TaskFailed.into()))
    }

    /// Runs `future` (a request's handler) with every `Db::run` in it on this connection.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        PINNED.scope(self, future).await
    }
}
