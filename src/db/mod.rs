//! Storage: one diesel code path over SQLite and PostgreSQL, a pool and migrations. How async
//! code runs blocking work on it, joining the ledger's group commit, is `crate::runner`.

pub mod migrations;
pub mod schema;

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;

/// A connection to either backend. Queries written once against this type run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend is chosen from the URL scheme, never by trial: diesel's generated
    /// `establish` would otherwise open an unreachable PostgreSQL URL as a SQLite file.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database connection failed: {0}")]
    Connection(#[from] ConnectionError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("background task failed")]
    TaskFailed,
}

/// How long a SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ConnectionManager {
    pub fn new(url: &str) -> Self {
        let backend = Backend::from_url(url);
        let url = match backend {
            Backend::Sqlite => url.strip_prefix("sqlite://").unwrap_or(url).to_owned(),
            Backend::Postgres => url.to_owned(),
        };
        ConnectionManager { url, backend }
    }

    pub fn connect(&self) -> Result<DbConn, DbError> {
        let mut conn = self.open()?;
        conn.set_instrumentation(count_queries);
        Ok(conn)
    }

    fn open(&self) -> Result<DbConn, DbError> {
        match self.backend {
            Backend::Postgres => Ok(DbConn::Postgresql(diesel::PgConnection::establish(
                &self.url,
            )?)),
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url)?;
                // A busy timeout so that writers queue instead of failing, WAL for concurrent
                // readers, FULL so that a commit survives power loss.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {};",
                    SQLITE_BUSY_TIMEOUT.as_millis()
                ))?;
                enable_wal(&mut conn)?;
                conn.batch_execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

thread_local! {
    static QUERIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts every statement a pooled connection starts, on the thread that runs it: the count
/// the service reports of what its requests cost the database (`crate::runner` takes it
/// around each piece of work), so that a view whose queries grow with the data shows.
fn count_queries(event: diesel::connection::InstrumentationEvent<'_>) {
    if matches!(
        event,
        diesel::connection::InstrumentationEvent::StartQuery { .. }
    ) {
        QUERIES.with(|n| n.set(n.get() + 1));
    }
}

/// The statements started on this thread so far.
pub fn queries_on_this_thread() -> u64 {
    QUERIES.with(std::cell::Cell::get)
}

/// Switches a database file to WAL (a setting stored in the file, so only its first opener
/// changes anything). The switch needs an exclusive lock and SQLite does not call the busy
/// handler for it, so processes opening a new database at once would get "database is locked":
/// retry for as long as a writer would wait.
fn enable_wal(conn: &mut diesel::SqliteConnection) -> Result<(), DbError> {
    let deadline = Instant::now() + SQLITE_BUSY_TIMEOUT;
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("database is locked") && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return Ok(other?),
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        ConnectionManager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

pub fn build_pool(url: &str, max_size: u32) -> Result<Pool, DbError> {
    Ok(r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(30))
        .build(ConnectionManager::new(url))?)
}
