//! PostgreSQL: the standard tools. A backup is `pg_dump --format=custom`, checked by restoring
//! it into a scratch database on the same server (dropped afterwards); a restore is
//! `pg_restore` in one transaction into the configured database, which must be empty, then
//! the same checks.

use std::path::Path;
use std::process::Command;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{
    check, check_rollback, private_partial, BackupError, Keys, RestoreOptions, Restored, Verified,
};
use crate::db::ConnectionManager;
use crate::progress::Spinner;

pub(super) fn backup(
    url: &str,
    partial: &Path,
    keys: &Keys,
    progress: &Spinner,
) -> Result<Verified, BackupError> {
    private_partial(partial)?;
    progress.set_message("pg_dump --format=custom");
    let mut dump = Command::new("pg_dump");
    dump.arg("--format=custom")
        .arg("--file")
        .arg(partial)
        .arg("--dbname")
        .arg(url);
    run(
        "pg_dump",
        dump,
        "run `pg_dump --format=custom --file FILE --dbname <database URL>` from PostgreSQL's \
         client tools, then check it with `cartrec restore FILE` into an empty scratch database",
    )?;
    progress.set_message("restoring the dump into a scratch database to check it");
    let scratch = Scratch::create(url, partial)?;
    pg_restore(&scratch.url, partial)?;
    let mut conn = ConnectionManager::new(&scratch.url).connect()?;
    let verified = check(&mut conn, keys, progress);
    drop(conn);
    drop(scratch);
    verified
}

pub(super) fn restore(
    url: &str,
    file: &Path,
    keys: &Keys,
    options: &RestoreOptions,
    progress: &Spinner,
) -> Result<Restored, BackupError> {
    if !is_empty(url)? {
        return Err(BackupError::NotEmpty(
            "on PostgreSQL, restore into a new, empty database (drop and create it again)",
        ));
    }
    progress.set_message("pg_restore into the configured database");
    pg_restore(url, file)?;
    let mut conn = ConnectionManager::new(url).connect()?;
    let checked = check(&mut conn, keys, progress).and_then(|verified| {
        let lost = check_rollback(&mut conn, keys)?;
        match &lost {
            Some(rollback) if !options.accept_rollback => {
                Err(BackupError::Rollback(rollback.clone()))
            }
            _ => Ok(Restored { verified, lost }),
        }
    });
    checked.map_err(|e| BackupError::LeftInPlace(Box::new(e)))
}

/// One transaction, stopping at the first error: the database gets the whole archive or
/// nothing. Objects belong to the role that restores (the schema owner, as for migrations);
/// the grants to the runtime role come with the archive, so that role must exist.
fn pg_restore(url: &str, file: &Path) -> Result<(), BackupError> {
    let mut restore = Command::new("pg_restore");
    restore
        .arg("--exit-on-error")
        .arg("--single-transaction")
        .arg("--no-owner")
        .arg("--dbname")
        .arg(url)
        .arg(file);
    run(
        "pg_restore",
        restore,
        "run `pg_restore --exit-on-error --single-transaction --no-owner --dbname <database \
         URL> FILE` from PostgreSQL's client tools, then `cartrec verify`",
    )
}

fn run(tool: &'static str, mut command: Command, instead: &str) -> Result<(), BackupError> {
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::ToolMissing {
                tool,
                instead: instead.to_owned(),
            })
        }
        Err(e) => {
            return Err(BackupError::Tool {
                tool,
                status: "did not start".to_owned(),
                stderr: e.to_string(),
            })
        }
    };
    if output.status.success() {
        return Ok(());
    }
    Err(BackupError::Tool {
        tool,
        status: output.status.to_string(),
        stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    })
}

/// No relation outside PostgreSQL's own schemas.
fn is_empty(url: &str) -> Result<bool, BackupError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::PgConnection::establish(url)?;
    let count: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace \
         WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND s.nspname NOT LIKE 'pg_toast%' AND s.nspname NOT LIKE 'pg_temp%'",
    )
    .get_result(&mut conn)?;
    Ok(count.n == 0)
}

/// A database made on the configured server for one check, dropped when this is. The
/// configured role needs CREATEDB for it.
struct Scratch {
    admin_url: String,
    name: String,
    url: String,
}

impl Scratch {
    fn create(url: &str, dump: &Path) -> Result<Scratch, BackupError> {
        let name = format!("cartrec_backup_check_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(url)?;
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| {
                BackupError::Verification(format!(
                    "cannot create a scratch database to check the dump in ({e}): give the \
                     role CREATEDB, or check the unverified dump {} with `cartrec restore` \
                     into an empty database",
                    dump.display()
                ))
            })?;
        Ok(Scratch {
            admin_url: url.to_owned(),
            url: with_database(url, &name),
            name,
        })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let dropped = diesel::PgConnection::establish(&self.admin_url).and_then(|mut conn| {
            conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(e) = dropped {
            tracing::warn!(database = %self.name, error = %e, "the scratch database was not dropped");
        }
    }
}

/// The URL with its database name replaced, keeping user, host and parameters.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|i| i + 3)
        .and_then(|start| base[start..].find('/').map(|i| start + i))
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_rest_kept() {
        assert_eq!(
            with_database("postgres://u:p@db:5432/cartrec?sslmode=verify-full", "x"),
            "postgres://u:p@db:5432/x?sslmode=verify-full"
        );
        assert_eq!(with_database("postgres://db", "x"), "postgres://db/x");
    }
}
