//! Signed tree heads: the proof that cartrec, and not someone with access to the database,
//! wrote an entry.
//!
//! A hash chain proves order and integrity only against someone who cannot compute SHA-256,
//! that is, against nobody. So every transaction that appends signs the head it leaves (its
//! size, the Merkle root and the last entry's hash) with the ledger key, which lives in a file
//! outside the database, and stores the signed head beside its entries before it commits. An
//! entry that no signed head covers was not written by cartrec: verification names it, and the
//! append path refuses to build on it (the service then goes read-only, see [`Trust`]).
//!
//! The key is the checkpoint key; a head's note starts with its own first line
//! (`cartrec tree head v1`), so a head can never be read as a C2SP checkpoint of the log, nor a
//! checkpoint as a head. The newest committed head is also copied to `checkpoint_dir`
//! ([`OutsideCopy`]), where someone who deletes the tail together with its heads cannot reach.

use std::cell::RefCell;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use diesel::prelude::*;
use signed_note::{Note, StandardVerifier, VerificationError, Verifier, Verifiers};

use super::canonical::{Hash, ZERO_HASH};
use super::lock::Head;
use super::{entry_at, format_recorded_at, tree, LedgerError};
use crate::db::schema::tree_heads;
use crate::db::DbConn;
use crate::keys::NoteSigner;

/// The first line of every signed head's note.
const HEAD_LINE: &str = "cartrec tree head v1";

/// The name of the copy of the newest head in `checkpoint_dir`.
pub const OUTSIDE_FILE: &str = "tree-head";

/// A tree head cartrec signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub size: u64,
    pub root: Hash,
    /// The hash of entry `size - 1`.
    pub last_hash: Hash,
    pub signed_at: String,
    /// The whole signed note, as stored and as copied outside.
    pub note: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = tree_heads)]
struct Row {
    size: i64,
    root_hash: Vec<u8>,
    last_hash: Vec<u8>,
    signed_at: String,
    note: String,
}

impl Row {
    /// The row as the columns say, unchecked: [`open`] checks a note against its signature.
    fn into_head(self) -> Result<SignedHead, LedgerError> {
        let corrupt = |what: &str| {
            LedgerError::InvalidCheckpoint(format!(
                "stored tree head of size {}: {what}",
                self.size
            ))
        };
        Ok(SignedHead {
            size: u64::try_from(self.size).map_err(|_| corrupt("negative size"))?,
            root: self
                .root_hash
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("root is not 32 bytes"))?,
            last_hash: self
                .last_hash
                .as_slice()
                .try_into()
                .map_err(|_| corrupt("last hash is not 32 bytes"))?,
            signed_at: self.signed_at,
            note: self.note,
        })
    }
}

/// The newest stored head, as its columns say (not yet checked against its signature).
pub fn newest(conn: &mut DbConn) -> Result<Option<SignedHead>, LedgerError> {
    tree_heads::table
        .order(tree_heads::size.desc())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_head)
        .transpose()
}

/// Every stored head of at most `size` entries, oldest first, as their columns say.
pub fn up_to(conn: &mut DbConn, size: u64) -> Result<Vec<SignedHead>, LedgerError> {
    tree_heads::table
        .filter(tree_heads::size.le(i64::try_from(size).unwrap_or(i64::MAX)))
        .order(tree_heads::size.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_head)
        .collect()
}

/// How many heads are stored.
pub fn count(conn: &mut DbConn) -> Result<u64, LedgerError> {
    let n: i64 = tree_heads::table.count().get_result(conn)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn head_text(origin: &str, size: u64, root: &Hash, last_hash: &Hash, signed_at: &str) -> String {
    format!(
        "{HEAD_LINE}\n{origin}\n{size}\n{}\n{}\n{signed_at}\n",
        BASE64.encode(root),
        hex::encode(last_hash)
    )
}

fn sign_text(signer: &NoteSigner, text: &str) -> Result<String, LedgerError> {
    let failed = |e: signed_note::NoteError| LedgerError::InvalidCheckpoint(e.to_string());
    let mut note = Note::new(text.as_bytes(), &[]).map_err(failed)?;
    let signers: [&dyn signed_note::Signer; 1] = [signer];
    note.add_sigs(&signers).map_err(failed)?;
    String::from_utf8(note.to_bytes()).map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))
}

/// Checks heads against one verifier key: each note signed by it, of the log `origin`.
/// Shared by the threads that check heads in parallel (signed-note's own list is not `Sync`).
pub struct HeadVerifier {
    key: OneKey,
    origin: String,
}

struct OneKey(StandardVerifier);

impl Verifiers for OneKey {
    fn verifier(&self, name: &str, id: u32) -> Result<&dyn Verifier, VerificationError> {
        if self.0.name() == name && self.0.key_id() == id {
            Ok(&self.0)
        } else {
            Err(VerificationError::UnknownKey {
                name: name.to_owned(),
                id,
            })
        }
    }
}

impl HeadVerifier {
    pub fn new(vkey: &str, origin: &str) -> Result<HeadVerifier, LedgerError> {
        let verifier = StandardVerifier::new(vkey.trim())
            .map_err(|e| LedgerError::InvalidCheckpoint(format!("the verifier key: {e}")))?;
        Ok(HeadVerifier {
            key: OneKey(verifier),
            origin: origin.to_owned(),
        })
    }

    /// Reads a signed head's note: signed by this key, of this log, well formed.
    pub fn open(&self, note: &str) -> Result<SignedHead, String> {
        let parsed = Note::from_bytes(note.as_bytes()).map_err(|e| format!("the note: {e}"))?;
        parsed
            .verify(&self.key)
            .map_err(|e| format!("the signature: {e}"))?;
        let text = std::str::from_utf8(parsed.text()).map_err(|e| e.to_string())?;
        let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
        let [HEAD_LINE, origin, size, root, last_hash, signed_at] = lines[..] else {
            return Err("not a cartrec tree head".to_owned());
        };
        if origin != self.origin {
            return Err(format!("a head of log `{origin}`, not `{}`", self.origin));
        }
        let hash = |text: &[u8]| -> Option<Hash> { text.try_into().ok() };
        Ok(SignedHead {
            size: size
                .parse()
                .map_err(|_| "its size is not a number".to_owned())?,
            root: BASE64
                .decode(root)
                .ok()
                .and_then(|b| hash(&b))
                .ok_or("its root is not a base64 SHA-256")?,
            last_hash: hex::decode(last_hash)
                .ok()
                .and_then(|b| hash(&b))
                .ok_or("its last hash is not a hex SHA-256")?,
            signed_at: signed_at.to_owned(),
            note: note.to_owned(),
        })
    }

    /// A stored head whose note is signed and says what its columns say.
    pub fn check_stored(&self, head: &SignedHead) -> Result<(), String> {
        let signed = self.open(&head.note)?;
        if signed.size != head.size
            || signed.root != head.root
            || signed.last_hash != head.last_hash
            || signed.signed_at != head.signed_at
        {
            return Err("its columns differ from what its note signs".to_owned());
        }
        Ok(())
    }
}

/// The service's signer of heads, with what it knows of the ledger's trust.
pub struct Sealer {
    signer: Arc<NoteSigner>,
    origin: String,
    vkey: String,
    trust: super::Trust,
    /// The last head this process signed or checked against its signature: while the append
    /// lock answers with it, no other writer came in between and nothing needs reading.
    known: Mutex<Option<(u64, Hash)>>,
    outside: Option<OutsideCopy>,
    rows: super::RowSeals,
}

impl Sealer {
    /// `distrust_file`: where this instance keeps its distrust across restarts (see
    /// [`super::Trust`]); `None` keeps it in memory only.
    pub fn new(
        signer: Arc<NoteSigner>,
        origin: &str,
        outside: Option<&Path>,
        distrust_file: Option<&Path>,
    ) -> Arc<Sealer> {
        let vkey = signer.vkey();
        Arc::new(Sealer {
            rows: super::RowSeals::derive(&signer),
            signer,
            origin: origin.to_owned(),
            vkey,
            trust: distrust_file.map_or_else(super::Trust::default, super::Trust::kept_in),
            known: Mutex::new(None),
            outside: outside.map(OutsideCopy::new),
        })
    }

    /// The key of the seals of projection rows that grant rights.
    pub fn rows(&self) -> &super::RowSeals {
        &self.rows
    }

    pub fn trust(&self) -> &super::Trust {
        &self.trust
    }

    pub fn vkey(&self) -> &str {
        &self.vkey
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn verifier(&self) -> Result<HeadVerifier, LedgerError> {
        HeadVerifier::new(&self.vkey, &self.origin)
    }

    pub fn outside_dir(&self) -> Option<&Path> {
        self.outside.as_ref().map(|copy| copy.dir.as_path())
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Option<(u64, Hash)>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Called with the append lock held: the head the lock row names must be the one the
    /// newest signed head names. Anything else (an entry appended around cartrec, a removed
    /// tail, a moved lock row) makes the ledger untrusted, and the write is refused.
    pub(super) fn check_head(&self, conn: &mut DbConn, head: Head) -> Result<(), LedgerError> {
        self.trust.ensure()?;
        let at = (u64::try_from(head.next_seq).unwrap_or(0), head.hash);
        if *self.known() == Some(at) {
            return Ok(());
        }
        let newest = newest(conn)?;
        let problem = match &newest {
            None if at.0 == 0 => None,
            None => Some((
                0,
                format!(
                    "the ledger holds {} entries but no signed head: they were not written by \
                     cartrec (or the heads were removed)",
                    at.0
                ),
            )),
            Some(signed) => match self.verifier()?.check_stored(signed) {
                Err(why) => Some((
                    signed.size as i64 - 1,
                    format!(
                        "the newest signed head (size {}) is forged: {why}",
                        signed.size
                    ),
                )),
                Ok(()) => mismatch(conn, signed, at)?,
            },
        };
        match problem {
            None => {
                *self.known() = Some(at);
                Ok(())
            }
            Some((seq, reason)) => Err(self.trust.distrust(seq, reason)),
        }
    }

    /// Signs the head a transaction leaves, before it commits, and stores it beside its entries.
    pub(super) fn seal(&self, conn: &mut DbConn, head: Head) -> Result<SignedHead, LedgerError> {
        let size = u64::try_from(head.next_seq).unwrap_or(0);
        let root = tree::root_of_stored(conn, size)?;
        let signed_at = format_recorded_at(chrono::Utc::now());
        let text = head_text(&self.origin, size, &root, &head.hash, &signed_at);
        let note = sign_text(&self.signer, &text)?;
        diesel::insert_into(tree_heads::table)
            .values(Row {
                size: head.next_seq,
                root_hash: root.to_vec(),
                last_hash: head.hash.to_vec(),
                signed_at: signed_at.clone(),
                note: note.clone(),
            })
            .execute(conn)?;
        *self.known() = Some((size, head.hash));
        if let Some(outside) = &self.outside {
            outside.mark_dirty();
        }
        Ok(SignedHead {
            size,
            root,
            last_hash: head.hash,
            signed_at,
            note,
        })
    }

    /// Copies the newest committed head outside, if one was signed since the last copy.
    pub fn copy_outside(&self, conn: &mut DbConn) -> Result<Option<u64>, LedgerError> {
        let Some(outside) = &self.outside else {
            return Ok(None);
        };
        if !outside.take_dirty() {
            return Ok(None);
        }
        let Some(head) = newest(conn)? else {
            return Ok(None);
        };
        // Only a head this key signed goes outside: a forged row is never vouched for.
        if let Err(why) = self.verifier()?.check_stored(&head) {
            return Err(self.trust.distrust(
                head.size as i64 - 1,
                format!(
                    "the newest signed head (size {}) is forged: {why}",
                    head.size
                ),
            ));
        }
        outside.write(&head).map(Some)
    }
}

/// What is wrong when the lock row's head is not the newest signed head's: the lock row itself
/// moved around cartrec (a refusal of its own), or the ledger does not end where the head says.
fn mismatch(
    conn: &mut DbConn,
    signed: &SignedHead,
    (size, hash): (u64, Hash),
) -> Result<Option<(i64, String)>, LedgerError> {
    if signed.size == size && signed.last_hash == hash {
        return Ok(None);
    }
    let actual = tree::ledger_size(conn)?;
    let last: Option<Vec<u8>> = match actual.checked_sub(1) {
        Some(seq) => super::entry_at(conn, seq as i64)?.map(|entry| entry.hash),
        None => None,
    };
    let actual_hash: Hash = last
        .and_then(|bytes| bytes.as_slice().try_into().ok())
        .unwrap_or(ZERO_HASH);
    if (actual, actual_hash) != (size, hash) {
        return Err(LedgerError::HeadMismatch(format!(
            "the append lock row says the ledger holds {size} entries, but it holds {actual}: \
             the ledger_head row was changed around cartrec"
        )));
    }
    ends_where_signed(conn, signed, size)
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Sealer>>> = const { RefCell::new(None) };
}

/// Runs `f` with `sealer` signing the heads of the ledger writes made on this thread
/// (`Db::run` sets it around the work it runs for a request; the command-line tools around
/// theirs).
pub fn within<R>(sealer: Option<&Arc<Sealer>>, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|current| current.replace(sealer.cloned()));
    let restore = Restore(previous);
    let result = f();
    drop(restore);
    result
}

struct Restore(Option<Arc<Sealer>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

pub fn current() -> Option<Arc<Sealer>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// The copy of the newest committed head in `checkpoint_dir`, written by the service's
/// background copier a moment after the commit (a bounded lag, see the README), never before
/// it: a head outside always names entries the database committed.
pub struct OutsideCopy {
    dir: PathBuf,
    dirty: std::sync::atomic::AtomicBool,
}

impl OutsideCopy {
    fn new(dir: &Path) -> OutsideCopy {
        OutsideCopy {
            dir: dir.to_owned(),
            // A start copies whatever is newest.
            dirty: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn mark_dirty(&self) {
        self.dirty.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn take_dirty(&self) -> bool {
        self.dirty.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// Replaces the copy with `head` unless the copy is already as large (another instance's
    /// copier may be ahead). Under an exclusive lock on a file beside it, so that two
    /// instances never put a smaller head over a larger one; written to a temporary file,
    /// fsynced and renamed, so a crash never leaves half a head.
    fn write(&self, head: &SignedHead) -> Result<u64, LedgerError> {
        let failed = |path: &Path, e: std::io::Error| LedgerError::CheckpointDir {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let dir = &self.dir;
        crate::private_files::create_dir_all(dir).map_err(|e| failed(dir, e))?;
        let lock_path = dir.join(".tree-head.lock");
        let lock = match fs::OpenOptions::new().write(true).open(&lock_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                crate::private_files::create(&lock_path)
            }
            other => other,
        }
        .map_err(|e| failed(&lock_path, e))?;
        lock.lock().map_err(|e| failed(&lock_path, e))?;
        let path = dir.join(OUTSIDE_FILE);
        let current = read_outside_size(&path);
        if current.is_some_and(|size| size >= head.size) {
            return Ok(current.unwrap_or(head.size));
        }
        crate::private_files::write_durably(&path, head.note.as_bytes())
            .map_err(|e| failed(&path, e))?;
        Ok(head.size)
    }
}

/// The size line of a head copied outside, read without checking it (only to compare).
fn read_outside_size(path: &Path) -> Option<u64> {
    let text = fs::read_to_string(path).ok()?;
    text.lines().nth(2)?.parse().ok()
}

/// The head copied to `dir`, checked against its signature; `None` if there is none yet.
pub fn outside(dir: &Path, verifier: &HeadVerifier) -> Result<Option<SignedHead>, LedgerError> {
    let path = dir.join(OUTSIDE_FILE);
    match fs::read_to_string(&path) {
        Ok(note) => verifier
            .open(&note)
            .map(Some)
            .map_err(|why| LedgerError::InvalidCheckpoint(format!("{}: {why}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LedgerError::CheckpointDir {
            path,
            reason: e.to_string(),
        }),
    }
}

/// Whether the ledger ends at the newest signed head: its size, its last entry and its root
/// from the stored subtrees (missing subtrees are left to the full verification).
pub(super) fn ends_where_signed(
    conn: &mut DbConn,
    newest: &SignedHead,
    size: u64,
) -> Result<Option<(i64, String)>, LedgerError> {
    if size > newest.size {
        return Ok(Some((
            newest.size as i64,
            format!(
                "entries {}..={} are covered by no signed tree head: they were not written by \
                 cartrec",
                newest.size,
                size - 1
            ),
        )));
    }
    if size < newest.size {
        return Ok(Some((
            size as i64,
            format!(
                "a signed tree head covers {} entries but the ledger holds {size}: entries were \
                 removed from its end",
                newest.size
            ),
        )));
    }
    let last = entry_at(conn, size as i64 - 1)?;
    if last.is_none_or(|entry| entry.hash != newest.last_hash) {
        return Ok(Some((
            size as i64 - 1,
            format!(
                "entry {} is not the one the newest signed tree head names: the history was \
                 rewritten",
                size - 1
            ),
        )));
    }
    match tree::root(conn, size) {
        Ok(root) if root == newest.root => Ok(None),
        Ok(_) => Ok(Some((
            0,
            "the stored Merkle subtrees do not hash to the root the newest signed tree head \
             signs: they were changed around cartrec"
                .to_owned(),
        ))),
        Err(LedgerError::TreeIncomplete { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str, seed: u8) -> NoteSigner {
        NoteSigner {
            name: name.to_owned(),
            key: ed25519_dalek::SigningKey::from_bytes(&[seed; 32]),
        }
    }

    fn signed(signer: &NoteSigner, origin: &str) -> String {
        let text = head_text(origin, 7, &[1; 32], &[2; 32], "2026-12-06T10:00:00.000000Z");
        sign_text(signer, &text).expect("signed")
    }

    #[test]
    fn a_head_reads_back_as_signed() {
        let key = signer("cartrec.test/ledger", 1);
        let verifier = HeadVerifier::new(&key.vkey(), "cartrec.test/ledger").expect("vkey");
        let head = verifier
            .open(&signed(&key, "cartrec.test/ledger"))
            .expect("opens");
        assert_eq!(
            (head.size, head.root, head.last_hash),
            (7, [1; 32], [2; 32])
        );
        assert_eq!(head.signed_at, "2026-12-06T10:00:00.000000Z");
        assert!(verifier.check_stored(&head).is_ok());
        let mut changed = head.clone();
        changed.size = 8;
        assert!(
            verifier.check_stored(&changed).is_err(),
            "columns must say what it signs"
        );
    }

    #[test]
    fn another_key_another_log_or_a_changed_note_is_refused() {
        let key = signer("cartrec.test/ledger", 1);
        let verifier = HeadVerifier::new(&key.vkey(), "cartrec.test/ledger").expect("vkey");
        let impostor = signer("cartrec.test/ledger", 2);
        assert!(verifier
            .open(&signed(&impostor, "cartrec.test/ledger"))
            .is_err());
        assert!(verifier
            .open(&signed(&key, "cartrec.other/ledger"))
            .is_err());
        let note = signed(&key, "cartrec.test/ledger").replacen("\n7\n", "\n9\n", 1);
        assert!(verifier.open(&note).is_err());
    }

    #[test]
    fn a_checkpoint_is_never_read_as_a_head() {
        // The same key signs checkpoints: a C2SP checkpoint's text (origin, size, root) must
        // not pass for a head.
        let key = signer("cartrec.test/ledger", 1);
        let verifier = HeadVerifier::new(&key.vkey(), "cartrec.test/ledger").expect("vkey");
        let checkpoint = format!("cartrec.test/ledger\n7\n{}\n", BASE64.encode([1u8; 32]));
        let note = sign_text(&key, &checkpoint).expect("signed");
        assert_eq!(
            verifier.open(&note).err().as_deref(),
            Some("not a cartrec tree head")
        );
    }
}
