//! SQLite: a backup is `VACUUM INTO` a new file. That is SQLite's own consistent online copy
//! (it reads in one transaction, so writers go on meanwhile and the copy is one instant of the
//! database), and diesel, through which every connection here is made, can run it; the
//! `sqlite3_backup_*` API would need the raw handle under diesel's connection. A restore is
//! a copy checked under a temporary name, then renamed over the database.

use std::fs;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{
    check, check_rollback, install, partial_path, private_partial, BackupError, Keys,
    RestoreOptions, Restored, Verified,
};
use crate::db::{ConnectionManager, DbConn};
use crate::private_files;
use crate::progress::Spinner;

pub(super) fn backup(
    url: &str,
    partial: &Path,
    keys: &Keys,
    progress: &Spinner,
) -> Result<Verified, BackupError> {
    let source = path_of(url);
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source));
    }
    // Emptied if a failed backup left it: `VACUUM INTO` writes only into an empty file.
    private_partial(partial)?;
    let target = partial.to_str().ok_or_else(|| BackupError::Io {
        path: partial.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "SQLite needs a UTF-8 path",
        ),
    })?;
    progress.set_message("copying the database (VACUUM INTO)");
    let mut conn = ConnectionManager::new(url).connect()?;
    conn.batch_execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))?;
    drop(conn);
    // Not through the pool's settings, which would switch the copy to WAL: the projection
    // check replays the ledger in a transaction it rolls back, so the copy's bytes stay as
    // VACUUM INTO wrote them.
    let mut copy = DbConn::Sqlite(diesel::SqliteConnection::establish(target)?);
    check(&mut copy, keys, progress)
}

pub(super) fn restore(
    url: &str,
    file: &Path,
    keys: &Keys,
    options: &RestoreOptions,
    progress: &Spinner,
) -> Result<Restored, BackupError> {
    let target = path_of(url);
    let replacing = target.exists() && !is_empty(&target)?;
    if replacing && !options.force {
        return Err(BackupError::NotEmpty(
            "give --force to replace the SQLite file (the old one is kept beside it)",
        ));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_files::create_dir_all(dir).map_err(BackupError::io(dir))?;
    }
    let staged = partial_path(&target, "restoring");
    remove_with_journal(&staged)?;
    progress.set_message("copying the backup beside the database");
    copy_private(file, &staged)?;
    let checked = check_staged(&staged, keys, options, progress);
    let restored = match checked {
        Ok(restored) => restored,
        Err(e) => {
            // The database in place was never touched; the refused copy goes.
            remove_with_journal(&staged)?;
            return Err(e);
        }
    };
    if replacing {
        keep_previous(&target)?;
    }
    // Only the logs go: the rename replaces the file itself atomically.
    remove_journals(&target)?;
    install(&staged, &target)?;
    Ok(restored)
}

/// Copies the backup into a new file that is 0600 before a byte is in it (`fs::copy` would give
/// it the backup file's mode), so that it and the logs SQLite keeps beside it are private.
fn copy_private(file: &Path, staged: &Path) -> Result<(), BackupError> {
    let mut from = fs::File::open(file).map_err(BackupError::io(file))?;
    let mut to = private_files::create(staged).map_err(BackupError::io(staged))?;
    std::io::copy(&mut from, &mut to).map_err(BackupError::io(staged))?;
    Ok(())
}

/// The staged copy opened as the server opens a database, checked, and closed again (so that
/// its write-ahead log is folded back into the file before it is renamed).
fn check_staged(
    staged: &Path,
    keys: &Keys,
    options: &RestoreOptions,
    progress: &Spinner,
) -> Result<Restored, BackupError> {
    let url = staged.to_string_lossy();
    let mut conn = ConnectionManager::new(&url).connect()?;
    let verified = check(&mut conn, keys, progress)?;
    let lost = check_rollback(&mut conn, keys)?;
    if let Some(rollback) = &lost {
        if !options.accept_rollback {
            return Err(BackupError::Rollback(rollback.clone()));
        }
    }
    drop(conn);
    if journal(staged, "-wal").exists() {
        return Err(BackupError::Verification(format!(
            "{} still has a write-ahead log after it was closed",
            staged.display()
        )));
    }
    Ok(Restored { verified, lost })
}

/// Keeps the database being replaced as `<file>.before-restore-<UTC time>`, a hard link made
/// before the new file is renamed over the name. Its log is folded in first; a log that
/// remains means another process has it open.
fn keep_previous(target: &Path) -> Result<(), BackupError> {
    let mut conn = diesel::SqliteConnection::establish(&target.to_string_lossy())?;
    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    drop(conn);
    if journal(target, "-wal").exists() {
        return Err(BackupError::Verification(format!(
            "{} is in use (its write-ahead log stays open): stop every cartrec instance first",
            target.display()
        )));
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut kept = target.as_os_str().to_owned();
    kept.push(format!(".before-restore-{stamp}"));
    let kept = PathBuf::from(kept);
    fs::hard_link(target, &kept).map_err(BackupError::io(&kept))?;
    Ok(())
}

/// A file with no table at all (or no bytes) is empty.
fn is_empty(path: &Path) -> Result<bool, BackupError> {
    if fs::metadata(path).map_err(BackupError::io(path))?.len() == 0 {
        return Ok(true);
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::SqliteConnection::establish(&read_only_uri(path))?;
    let count: Count =
        diesel::sql_query("SELECT count(*) AS n FROM sqlite_master").get_result(&mut conn)?;
    Ok(count.n == 0)
}

fn path_of(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(url))
}

/// A `file:` URI opening `path` read-only; the characters a URI gives meaning to are escaped.
fn read_only_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro");
    uri
}

fn journal(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<(), BackupError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BackupError::io(path)(e)),
        _ => Ok(()),
    }
}

/// Removes a database file and the log files SQLite keeps beside it: a stale `-wal` next to a
/// new file of the same name would be replayed into it.
fn remove_with_journal(path: &Path) -> Result<(), BackupError> {
    remove_journals(path)?;
    remove_if_present(path)
}

fn remove_journals(path: &Path) -> Result<(), BackupError> {
    remove_if_present(&journal(path, "-wal"))?;
    remove_if_present(&journal(path, "-shm"))
}
