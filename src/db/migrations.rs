//! Embedded migrations, one set per backend, applied at start-up and by `cartrec migrate`.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{DbConn, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE),
        DbConn::Postgresql(c) => c.run_pending_migrations(POSTGRES),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
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
