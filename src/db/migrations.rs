//! Embedded migrations, one set per backend, applied at start-up and by `cartrec migrate`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock that serializes migrations across processes and app
/// instances ("cartrec!" in ASCII). Fixed forever: every version must take the same lock.
const MIGRATION_LOCK_KEY: i64 = 0x6361_7274_7265_6321;

/// Applies every pending migration; returns the versions applied.
///
/// Serialized across processes, so that instances started at once on an empty database do
/// not race: the harness reads the applied versions and then runs the rest, and two starters
/// would otherwise both create the bookkeeping table and both apply the same migration.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    match conn {
        DbConn::Sqlite(c) => run_pending_sqlite(c),
        DbConn::Postgresql(c) => run_pending_postgres(c),
    }
}

/// SQLite: the whole run in one `BEGIN IMMEDIATE` transaction, which takes the database write
/// lock (waiting up to `busy_timeout`) before the harness reads anything; the harness's own
/// per-migration transactions nest inside it as savepoints.
fn run_pending_sqlite(conn: &mut SqliteConnection) -> Result<Vec<String>, DbError> {
    conn.immediate_transaction(|conn| {
        conn.run_pending_migrations(SQLITE)
            .map(|applied| applied.into_iter().map(|v| v.to_string()).collect())
            .map_err(|e| DbError::Migration(e.to_string()))
    })
}

/// PostgreSQL: a session-level advisory lock around the run. No row lock can serialize it:
/// before the first migration there is no table to lock, and an advisory lock needs none
/// (and no privilege).
fn run_pending_postgres(conn: &mut PgConnection) -> Result<Vec<String>, DbError> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn)?;
    let lock = AdvisoryLock(conn);
    let applied = lock
        .0
        .run_pending_migrations(POSTGRES)
        .map(|applied| applied.into_iter().map(|v| v.to_string()).collect())
        .map_err(|e| DbError::Migration(e.to_string()));
    drop(lock);
    applied
}

/// Releases the migration lock when dropped, on success, error or panic alike: the
/// connection may go back to a pool, and a lock left held would stop every later migration.
struct AdvisoryLock<'c>(&'c mut PgConnection);

impl Drop for AdvisoryLock<'_> {
    fn drop(&mut self) {
        let released = diesel::sql_query("SELECT pg_advisory_unlock($1)")
            .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
            .execute(self.0);
        if let Err(e) = released {
            // The session still holds it; closing the connection would release it.
            tracing::error!(error = %e, "could not release the migration lock");
        }
    }
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = Text)]
    version: String,
}

/// True when every embedded migration has been applied. Reads the bookkeeping table only,
/// so a runtime role without DDL rights can answer it.
pub fn is_up_to_date(conn: &mut DbConn) -> Result<bool, DbError> {
    let applied: Vec<AppliedVersion> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn)?;
    let embedded = match conn {
        DbConn::Sqlite(_) => versions::<diesel::sqlite::Sqlite>(&SQLITE),
        DbConn::Postgresql(_) => versions::<diesel::pg::Pg>(&POSTGRES),
    }?;
    Ok(embedded
        .iter()
        .all(|v| applied.iter().any(|a| &a.version == v)))
}

fn versions<DB: diesel::backend::Backend>(set: &EmbeddedMigrations) -> Result<Vec<String>, DbError>
where
    EmbeddedMigrations: diesel::migration::MigrationSource<DB>,
{
    let migrations = diesel::migration::MigrationSource::<DB>::migrations(set)
        .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}
