//! The output of `cartrec backup` and `cartrec restore` (the commands are declared in
//! `crate::cli`): one line saying what the copy holds, or why it was refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Settings;
use crate::progress;

use super::{Keys, RestoreOptions};

pub fn backup(
    settings: &Settings,
    file: &Path,
    force: bool,
    vkey: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let keys = Keys::load(settings, vkey.as_deref())?;
    let progress = progress::spinner("backing up");
    let verified = super::backup(settings, &keys, file, force, &progress);
    drop(progress);
    match verified {
        Ok(verified) => {
            println!("backup written to {}: {verified}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            println!("FAILED: {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}

pub fn restore(
    settings: &Settings,
    file: &Path,
    options: &RestoreOptions,
    vkey: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let keys = Keys::load(settings, vkey.as_deref())?;
    let progress = progress::spinner("restoring");
    let restored = super::restore(settings, &keys, file, options, &progress);
    drop(progress);
    match restored {
        Ok(restored) => {
            if let Some(lost) = &restored.lost {
                // Loud on both streams: the operator chose this, the log keeps it.
                let warning = format!("WARNING: ROLLBACK ACCEPTED (--accept-rollback): {lost}");
                eprintln!("{warning}");
                println!("{warning}");
                tracing::warn!(%lost, "a rolled-back backup was restored on the operator's word");
            }
            println!("restored {}: {}", file.display(), restored.verified);
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) if failure.is_rollback() => {
            println!("REFUSED: {failure}");
            if failure.left_database_unchanged() {
                println!("The database in place is unchanged.");
            }
            println!(
                "Give --accept-rollback to restore this backup anyway and lose those entries."
            );
            Ok(ExitCode::FAILURE)
        }
        Err(failure) => {
            println!("FAILED: {failure}");
            Ok(ExitCode::FAILURE)
        }
    }
}
