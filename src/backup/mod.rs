//! `cartrec backup FILE` and `cartrec restore FILE`. A backup is verified before it is called
//! one; a restore is verified (ledger, stored checkpoints, projections: what `cartrec verify`
//! checks) and compared with the newest checkpoint in `checkpoint_dir`, which the database's
//! administrator cannot rewrite: a backup older than it would silently undo recorded work, so
//! it is refused unless the operator accepts the loss explicitly, and then the loss is named.

pub mod command;
mod postgres;
mod sqlite;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::db::{Backend, DbConn, DbError};
use crate::keys::KeyError;
use crate::ledger::{self, checkpoints, LedgerError, VerifyReport};
use crate::progress::Spinner;
use crate::services::projections;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: give --force to overwrite it")]
    Exists(PathBuf),
    #[error("the configured database is not empty: {0}")]
    NotEmpty(&'static str),
    #[error("no database at {0}: nothing to back up")]
    NoDatabase(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("cannot open the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("no checkpoint key at {0}: give the verifier key with --vkey FILE")]
    NoVkey(PathBuf),
    #[error("{tool} is not on PATH; {instead}")]
    ToolMissing { tool: &'static str, instead: String },
    #[error("{tool} failed ({status}): {stderr}")]
    Tool {
        tool: &'static str,
        status: String,
        stderr: String,
    },
    /// The ledger, a stored checkpoint or a projection of the copy does not verify.
    #[error("{0}")]
    Verification(String),
    #[error("{0}")]
    Rollback(Rollback),
    /// The copy is long enough for a checkpoint in `checkpoint_dir` but is not the history it
    /// signed: no flag accepts that.
    #[error(
        "the restored ledger is not the history that checkpoint {size} in checkpoint_dir \
         signed, and no flag accepts that: {reason}"
    )]
    Rewritten { size: u64, reason: String },
    /// PostgreSQL: the configured database was empty and now holds a refused restore.
    #[error(
        "{0}\nThe configured PostgreSQL database now holds this refused restore: drop it and \
         create it again, empty, before anything uses it (see the README, Backup and restore)"
    )]
    LeftInPlace(Box<BackupError>),
}

impl BackupError {
    /// A refused rollback, whatever was left in place.
    pub fn is_rollback(&self) -> bool {
        match self {
            BackupError::Rollback(_) => true,
            BackupError::LeftInPlace(inner) => inner.is_rollback(),
            _ => false,
        }
    }

    /// Whether the configured database still holds what it held before the command.
    pub fn left_database_unchanged(&self) -> bool {
        !matches!(self, BackupError::LeftInPlace(_))
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
        move |source| BackupError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A backup older than the newest checkpoint signed outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollback {
    /// Entries the backup holds (seq 0 to restored - 1).
    pub restored: u64,
    /// The size of the newest checkpoint in `checkpoint_dir`.
    pub checkpoint: u64,
    pub dir: PathBuf,
}

impl fmt::Display for Rollback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ROLLBACK: the backup holds {} entries but checkpoint {} in {} was signed over {} \
             entries: entries {}..{} ({} entries), and any written after that checkpoint, are \
             not in it",
            self.restored,
            self.checkpoint,
            self.dir.display(),
            self.checkpoint,
            self.restored,
            self.checkpoint - 1,
            self.checkpoint - self.restored
        )
    }
}

/// What a verified copy holds.
#[derive(Debug, Clone)]
pub struct Verified {
    pub report: VerifyReport,
    pub stored_checkpoints: u64,
    /// The size of the newest checkpoint stored in the copy.
    pub newest_checkpoint: Option<u64>,
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; ", self.report)?;
        match self.newest_checkpoint {
            Some(size) => write!(
                f,
                "{} stored checkpoint(s) verified, the newest of {size} entries",
                self.stored_checkpoints
            ),
            None => write!(f, "no checkpoint stored"),
        }
    }
}

pub struct Restored {
    pub verified: Verified,
    /// Set when the operator accepted a rollback: what the restore lost.
    pub lost: Option<Rollback>,
}

pub struct RestoreOptions {
    /// SQLite: replace an existing database file (kept beside it as `<file>.before-restore-…`).
    pub force: bool,
    pub accept_rollback: bool,
}

/// The checkpoint verifier key and where checkpoints are kept outside the database.
pub struct Keys {
    vkey: Option<String>,
    key_path: PathBuf,
    origin: String,
    dir: PathBuf,
}

impl Keys {
    /// `vkey_file` if given, else the verifier key of this server's checkpoint key file if
    /// there is one (never created here: a backup or restore signs nothing).
    pub fn load(settings: &Settings, vkey_file: Option<&Path>) -> Result<Keys, BackupError> {
        let key_path = settings.checkpoint_key_path();
        let vkey = match vkey_file {
            Some(path) => Some(fs::read_to_string(path).map_err(BackupError::io(path))?),
            None if key_path.exists() => Some(
                crate::keys::load_or_create_checkpoint_key(&key_path, &settings.log_origin)?.vkey(),
            ),
            None => None,
        };
        Ok(Keys {
            vkey,
            key_path,
            origin: settings.log_origin.clone(),
            dir: settings.checkpoint_dir_path(),
        })
    }

    fn vkey(&self) -> Result<&str, BackupError> {
        self.vkey
            .as_deref()
            .ok_or_else(|| BackupError::NoVkey(self.key_path.clone()))
    }
}

/// Writes a verified copy of the configured database to `file`.
pub fn backup(
    settings: &Settings,
    keys: &Keys,
    file: &Path,
    force: bool,
    progress: &Spinner,
) -> Result<Verified, BackupError> {
    if file.exists() && !force {
        return Err(BackupError::Exists(file.to_owned()));
    }
    let url = settings.database_url();
    let partial = partial_path(file, "partial");
    match Backend::from_url(&url) {
        Backend::Sqlite => sqlite::backup(&url, &partial, keys, progress),
        Backend::Postgres => postgres::backup(&url, &partial, keys, progress),
    }
    .and_then(|verified| {
        // Checked again: another backup may have written the name meanwhile.
        if file.exists() && !force {
            return Err(BackupError::Exists(file.to_owned()));
        }
        install(&partial, file)?;
        Ok(verified)
    })
}

/// Restores `file` into the configured database and verifies it, or leaves the previous
/// database as it was (see the backends for how).
pub fn restore(
    settings: &Settings,
    keys: &Keys,
    file: &Path,
    options: &RestoreOptions,
    progress: &Spinner,
) -> Result<Restored, BackupError> {
    if !file.is_file() {
        return Err(BackupError::Io {
            path: file.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such backup file"),
        });
    }
    let url = settings.database_url();
    match Backend::from_url(&url) {
        Backend::Sqlite => sqlite::restore(&url, file, keys, options, progress),
        Backend::Postgres => postgres::restore(&url, file, keys, options, progress),
    }
}

/// What `cartrec verify` checks: the ledger, every stored checkpoint, every projection.
fn check(conn: &mut DbConn, keys: &Keys, progress: &Spinner) -> Result<Verified, BackupError> {
    progress.set_message("verifying the ledger of the copy");
    // With the verifier key, every entry must lie under a tree head this server signed.
    let heads = match &keys.vkey {
        Some(vkey) => Some(ledger::heads::HeadVerifier::new(vkey, &keys.origin)?),
        None => None,
    };
    let report = ledger::verify_with(conn, heads.as_ref())?;
    if !report.is_ok() {
        return Err(BackupError::Verification(format!(
            "the ledger of the copy does not verify: {report}"
        )));
    }
    let newest_checkpoint = checkpoints::latest(conn)?.map(|c| c.size);
    let stored_checkpoints = match newest_checkpoint {
        Some(_) => checkpoints::check_stored(conn, keys.vkey()?, &keys.origin)
            .map_err(|e| BackupError::Verification(format!("a stored checkpoint: {e}")))?,
        None => 0,
    };
    progress.set_message("checking the projections of the copy against its ledger");
    let mismatches =
        projections::check(conn).map_err(|e| BackupError::Verification(e.to_string()))?;
    if let Some(first) = mismatches.first() {
        return Err(BackupError::Verification(format!(
            "the ledger verifies but {} projection row(s) disagree with it, the first: {first}",
            mismatches.len()
        )));
    }
    Ok(Verified {
        report,
        stored_checkpoints,
        newest_checkpoint,
    })
}

/// Compares a restored ledger with the checkpoints in `checkpoint_dir`: it must still be the
/// history of the newest one it is long enough for, and is a rollback if the newest is larger.
fn check_rollback(conn: &mut DbConn, keys: &Keys) -> Result<Option<Rollback>, BackupError> {
    let files = checkpoint_files(&keys.dir)?;
    let Some((_, newest)) = files.last() else {
        return Ok(None);
    };
    let vkey = keys.vkey()?;
    let entries = ledger::size(conn)?;
    let read = |path: &Path| fs::read_to_string(path).map_err(BackupError::io(path));
    if let Some((size, path)) = files.iter().rev().find(|(size, _)| *size <= entries) {
        match checkpoints::check_one(conn, &read(path)?, vkey, &keys.origin) {
            Ok(_) => {}
            Err(LedgerError::CheckpointInconsistent(reason)) => {
                return Err(BackupError::Rewritten {
                    size: *size,
                    reason,
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    // The size signed in the note, not the one in its name.
    let (checkpoint, _) = checkpoints::open(&read(newest)?, vkey, &keys.origin)?;
    Ok((checkpoint > entries).then(|| Rollback {
        restored: entries,
        checkpoint,
        dir: keys.dir.clone(),
    }))
}

/// The `checkpoint-<size>` files of the directory, smallest first.
fn checkpoint_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>, BackupError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::io(dir)(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(BackupError::io(dir))?.path();
        let size = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("checkpoint-"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(size) = size {
            files.push((size, path));
        }
    }
    files.sort();
    Ok(files)
}

/// The file a backup is copied into, empty and 0600 before a byte of the copy is in it: a
/// backup holds password hashes and every record, it is read while it is verified, and one
/// that fails stays for investigation.
fn private_partial(partial: &Path) -> Result<(), BackupError> {
    crate::private_files::create(partial)
        .map(drop)
        .map_err(BackupError::io(partial))
}

/// A name beside `file` for work in progress, so that the final rename stays on one
/// file system and is atomic.
fn partial_path(file: &Path, what: &str) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!(".{name}.{what}"))
}

fn parent_dir(file: &Path) -> &Path {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// fsync of the file, rename into place, fsync of the directory: after a crash, `to` is the
/// old file or the whole new one.
fn install(from: &Path, to: &Path) -> Result<(), BackupError> {
    fs::File::open(from)
        .and_then(|f| f.sync_all())
        .map_err(BackupError::io(from))?;
    fs::rename(from, to).map_err(BackupError::io(to))?;
    let dir = parent_dir(to);
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(BackupError::io(dir))
}
