//! Signed checkpoints (C2SP `tlog-checkpoint` in a C2SP `signed-note`, Ed25519): the tree head
//! the server vouches for, stored append-only and also written to a directory outside the
//! database. The server never signs a head that is not a consistent extension of the last one
//! it signed, wherever that one is kept: a rolled-back or rewritten database is refused, not
//! signed over.

use std::fs;
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use signed_note::{Note, StandardVerifier, VerifierList};
use tlog_tiles::Checkpoint as TreeHead;

use super::merkle::verify_consistency;
use super::{format_recorded_at, tree, write, Hash, LedgerError};
use crate::db::schema::checkpoints;
use crate::db::DbConn;

/// A checkpoint the server signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub size: u64,
    pub root: Hash,
    /// The whole signed note, as served and as written to the checkpoint directory.
    pub note: String,
    pub signed_at: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = checkpoints)]
struct Row {
    size: i64,
    root_hash: Vec<u8>,
    note: String,
    signed_at: String,
}

impl Row {
    fn into_signed(self) -> Result<Signed, LedgerError> {
        let corrupt = |reason: &str| {
            LedgerError::InvalidCheckpoint(format!(
                "stored checkpoint of size {}: {reason}",
                self.size
            ))
        };
        let root: Hash = self
            .root_hash
            .as_slice()
            .try_into()
            .map_err(|_| corrupt("its root is not 32 bytes"))?;
        let size = u64::try_from(self.size).map_err(|_| corrupt("negative size"))?;
        Ok(Signed {
            size,
            root,
            note: self.note,
            signed_at: self.signed_at,
        })
    }
}

/// Where and under which name checkpoints are signed.
pub struct Signing<'a> {
    pub signer: &'a crate::keys::NoteSigner,
    /// The log's origin line, e.g. `cartrec.example-hospital.eu/ledger`.
    pub origin: &'a str,
    /// A directory outside the database that receives a copy of each checkpoint.
    pub dir: Option<&'a Path>,
}

/// The newest stored checkpoint.
pub fn latest(conn: &mut DbConn) -> Result<Option<Signed>, LedgerError> {
    checkpoints::table
        .order(checkpoints::size.desc())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_signed)
        .transpose()
}

/// The stored checkpoint of exactly `size` entries, if one was signed.
pub fn of_size(conn: &mut DbConn, size: u64) -> Result<Option<Signed>, LedgerError> {
    let Ok(size) = i64::try_from(size) else {
        return Ok(None);
    };
    checkpoints::table
        .filter(checkpoints::size.eq(size))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_signed)
        .transpose()
}

/// Every stored checkpoint, oldest first.
pub fn all(conn: &mut DbConn) -> Result<Vec<Signed>, LedgerError> {
    checkpoints::table
        .order(checkpoints::size.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_signed)
        .collect()
}

/// Signs a checkpoint of the whole ledger as it is now, unless the newest one already covers
/// it (then that one is returned). Holds the append lock, so the head cannot move meanwhile.
pub fn sign(conn: &mut DbConn, signing: &Signing<'_>) -> Result<Signed, LedgerError> {
    write(conn, |tx| {
        // Appends nothing, so the check of each appended entry never sees it: a checkpoint is
        // signed only while the ledger is trusted, never while its incident is open.
        if let Some(sealer) = super::heads::current() {
            sealer.trust().ensure_trusted()?;
        }
        let conn = tx.conn();
        let size = super::tree::ledger_size(conn)?;
        let last = last_signed(conn, signing)?;
        if let Some(last) = &last {
            ensure_extends(conn, last, size)?;
            if last.size == size {
                return Ok(last.clone());
            }
        }
        if size == 0 {
            return Err(LedgerError::CheckpointInconsistent(
                "the ledger is empty: there is nothing to sign".to_owned(),
            ));
        }
        let root = tree::root(conn, size)?;
        // The stored subtrees must hash to the root the newest signed head signs (the append
        // lock has already checked that it covers the whole ledger): a checkpoint is never
        // signed over a tree changed around cartrec.
        if let Some(head) = super::heads::newest(conn)? {
            if head.size == size && head.root != root {
                let reason = "the stored Merkle subtrees do not hash to the root the newest \
                              signed tree head signs: they were changed around cartrec"
                    .to_owned();
                return Err(match super::heads::current() {
                    Some(sealer) => sealer.trust().distrust(0, reason),
                    None => LedgerError::CheckpointInconsistent(reason),
                });
            }
        }
        let note = signed_note(signing, size, &root)?;
        let signed = Signed {
            size,
            root,
            note,
            signed_at: format_recorded_at(chrono::Utc::now()),
        };
        diesel::insert_into(checkpoints::table)
            .values(Row {
                size: i64::try_from(size).unwrap_or(i64::MAX),
                root_hash: root.to_vec(),
                note: signed.note.clone(),
                signed_at: signed.signed_at.clone(),
            })
            .execute(conn)?;
        // Written before the commit: a copy outside that the database lost is caught at the next
        // signing; a checkpoint in the database with no copy outside is not.
        if let Some(dir) = signing.dir {
            store_outside(dir, &signed)?;
        }
        Ok(signed)
    })
}

/// The last checkpoint signed, from the database or from the directory outside it, whichever
/// is larger: a database restored from an old backup has lost its newer ones, the directory has
/// not.
fn last_signed(conn: &mut DbConn, signing: &Signing<'_>) -> Result<Option<Signed>, LedgerError> {
    let stored = latest(conn)?;
    let outside = match signing.dir {
        Some(dir) => newest_outside(dir, &signing.signer.vkey(), signing.origin)?,
        None => None,
    };
    Ok(match (stored, outside) {
        (Some(a), Some(b)) => Some(if b.size > a.size { b } else { a }),
        (a, b) => a.or(b),
    })
}

/// Refuses a ledger that is shorter than, or not a consistent extension of, `last`.
fn ensure_extends(conn: &mut DbConn, last: &Signed, size: u64) -> Result<(), LedgerError> {
    if size < last.size {
        return Err(LedgerError::CheckpointInconsistent(format!(
            "the ledger holds {size} entries but checkpoint {} was signed over {} entries: the \
             tail is truncated or the database was rolled back",
            last.size, last.size
        )));
    }
    let proof = tree::consistency_proof(conn, last.size, size)?;
    let consistent = proof.from_root == last.root
        && verify_consistency(last.size, size, &proof.proof, &last.root, &proof.to_root).is_ok();
    if !consistent {
        return Err(LedgerError::CheckpointInconsistent(format!(
            "the first {} entries no longer hash to the root of checkpoint {}: the history was \
             rewritten",
            last.size, last.size
        )));
    }
    Ok(())
}

fn signed_note(signing: &Signing<'_>, size: u64, root: &Hash) -> Result<String, LedgerError> {
    let head = TreeHead::new(signing.origin, size, tlog_tiles::Hash(*root), "")
        .map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))?;
    let mut note = Note::new(&head.to_bytes(), &[])
        .map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))?;
    let signers: [&dyn signed_note::Signer; 1] = [signing.signer];
    note.add_sigs(&signers)
        .map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))?;
    String::from_utf8(note.to_bytes()).map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))
}

/// Reads a signed checkpoint: the note must carry a valid signature by `vkey` and hold a
/// well-formed checkpoint of the log named `origin`.
pub fn open(note: &str, vkey: &str, origin: &str) -> Result<(u64, Hash), LedgerError> {
    let invalid = |what: String| LedgerError::InvalidCheckpoint(what);
    let verifier = StandardVerifier::new(vkey.trim())
        .map_err(|e| invalid(format!("the verifier key: {e}")))?;
    let parsed =
        Note::from_bytes(note.as_bytes()).map_err(|e| invalid(format!("the note: {e}")))?;
    parsed
        .verify(&VerifierList::new(vec![Box::new(verifier)]))
        .map_err(|e| invalid(format!("the signature: {e}")))?;
    let head =
        TreeHead::from_bytes(parsed.text()).map_err(|e| invalid(format!("the checkpoint: {e}")))?;
    if head.origin() != origin {
        return Err(invalid(format!(
            "the checkpoint is of log `{}`, not `{origin}`",
            head.origin()
        )));
    }
    Ok((head.size(), head.hash().0))
}

fn file_name(size: u64) -> String {
    format!("checkpoint-{size:020}")
}

/// Writes the checkpoint to the directory durably (a temporary file, fsync, rename, fsync of
/// the directory), so a crash never leaves half a checkpoint.
fn store_outside(dir: &Path, signed: &Signed) -> Result<(), LedgerError> {
    let failed = |path: &Path, e: std::io::Error| LedgerError::CheckpointDir {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    crate::private_files::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let path = dir.join(file_name(signed.size));
    crate::private_files::write_durably(&path, signed.note.as_bytes()).map_err(|e| failed(&path, e))
}

/// The largest checkpoint in the directory that this server's key signed.
pub fn newest_outside(dir: &Path, vkey: &str, origin: &str) -> Result<Option<Signed>, LedgerError> {
    let failed = |path: PathBuf, e: std::io::Error| LedgerError::CheckpointDir {
        path,
        reason: e.to_string(),
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failed(dir.to_owned(), e)),
    };
    let mut newest: Option<PathBuf> = None;
    for entry in entries {
        let path = entry.map_err(|e| failed(dir.to_owned(), e))?.path();
        let named = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("checkpoint-"));
        if named && newest.as_ref().is_none_or(|n| path > *n) {
            newest = Some(path);
        }
    }
    let Some(path) = newest else {
        return Ok(None);
    };
    let note = fs::read_to_string(&path).map_err(|e| failed(path.clone(), e))?;
    let (size, root) = open(&note, vkey, origin)?;
    Ok(Some(Signed {
        size,
        root,
        note,
        signed_at: String::new(),
    }))
}

/// What `cartrec verify` checks of the stored checkpoints: each one's signature, and that the
/// ledger still hashes to its root at its size.
pub fn check_stored(conn: &mut DbConn, vkey: &str, origin: &str) -> Result<u64, LedgerError> {
    let stored = all(conn)?;
    for checkpoint in &stored {
        check_one(conn, &checkpoint.note, vkey, origin)?;
    }
    Ok(stored.len() as u64)
}

/// A checkpoint kept by an auditor (`cartrec verify --trusted FILE`) or stored: signed by
/// `vkey`, and the ledger is a consistent extension of it.
pub fn check_one(
    conn: &mut DbConn,
    note: &str,
    vkey: &str,
    origin: &str,
) -> Result<u64, LedgerError> {
    let (size, root) = open(note, vkey, origin)?;
    let last = Signed {
        size,
        root,
        note: note.to_owned(),
        signed_at: String::new(),
    };
    let entries = super::tree::ledger_size(conn)?;
    ensure_extends(conn, &last, entries)?;
    Ok(size)
}
