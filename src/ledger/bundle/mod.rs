//! The batch export bundle (format `cartrec-batch-bundle/1`): every entry of a batch's streams
//! with its exact bytes, an inclusion proof of each against one signed checkpoint, the
//! checkpoint, the verifier key, and a signed statement of how many entries each stream held at
//! that checkpoint. Everything an inspector needs to check the record with no server and no
//! database, with standard pieces only (JSON, SHA-256, RFC 6962 proofs, C2SP signed notes).

mod check;
#[cfg(test)]
mod tests;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use signed_note::Note;

pub use check::{check, BundleError, Checked, CheckedStream};

use super::{Entry, Hash, LedgerError, ZERO_HASH};

pub const FORMAT: &str = "cartrec-batch-bundle/1";

/// The short description every bundle carries, so that a file found decades from now explains
/// itself. The README's "Batch export bundle" section says the same at more length.
pub const ABOUT: &str = "A cartrec batch export bundle (format cartrec-batch-bundle/1). \
`checkpoint` is a C2SP tlog-checkpoint signed note (Ed25519, C2SP signed-note) over the ledger's \
RFC 6962 Merkle tree; `vkey` is the signer's key in signed-note vkey form (check it against a copy \
you trust). `statement` is a signed note by the same key: line 1 `cartrec batch export v1`, then \
`batch <number>`, `checkpoint <size> <base64 root>`, and one `stream <role> <name> <count> <hex hash \
of its last entry>` line per stream. `streams` holds, per stream and in stream order, every entry: \
`entry` is the exact UTF-8 bytes of its RFC 8785 (JCS) header, whose SHA-256 over 0x00 || bytes is \
its `hash` and its Merkle leaf; `payload` the exact bytes whose lowercase hex SHA-256 the header \
names as `payload_sha256`; `inclusion_proof` the RFC 6962 audit path (base64 hashes) of leaf `seq` \
in the tree of the checkpoint's size. Each header's `stream_prev_hash` is the hash of the entry \
before it in its stream (32 zero bytes for the first), so each stream is a hash chain from its \
start. The record is complete when every stream's chain runs from stream_seq 0 to the count and \
last hash the statement names.";

/// The first line of a statement: never a checkpoint's origin followed by a tree size, so that a
/// statement can not be taken for a checkpoint.
const STATEMENT_HEADER: &str = "cartrec batch export v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub about: String,
    pub batch_number: String,
    pub checkpoint: String,
    pub vkey: String,
    pub statement: String,
    pub streams: Vec<BundledStream>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledStream {
    pub stream: String,
    /// What the stream is to the batch: `batch`, `chain_of_identity`, `template`, `lot`,
    /// `equipment` or `attachment`.
    pub role: String,
    pub entries: Vec<BundledEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledEntry {
    pub seq: u64,
    /// Lowercase hex SHA-256(0x00 || entry).
    pub hash: String,
    /// The entry's exact canonical bytes (UTF-8 JSON), as a string.
    pub entry: String,
    /// The payload's exact canonical bytes (UTF-8 JSON), as a string.
    pub payload: String,
    /// Standard base64 hashes, leaf to root.
    pub inclusion_proof: Vec<String>,
}

/// One stream as the statement lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHead {
    pub role: String,
    pub stream: String,
    pub count: u64,
    pub last_hash: Hash,
}

/// The statement's text: which batch, which checkpoint, and each stream's length and head there.
pub fn statement_text(batch_number: &str, size: u64, root: &Hash, heads: &[StreamHead]) -> String {
    let mut text = format!(
        "{STATEMENT_HEADER}\nbatch {batch_number}\ncheckpoint {size} {}\n",
        BASE64.encode(root)
    );
    for head in heads {
        text.push_str(&format!(
            "stream {} {} {} {}\n",
            head.role,
            head.stream,
            head.count,
            hex::encode(head.last_hash)
        ));
    }
    text
}

/// Signs a statement as a C2SP signed note.
pub fn sign_statement(text: &str, signer: &dyn signed_note::Signer) -> Result<String, LedgerError> {
    let invalid = |e: signed_note::NoteError| LedgerError::InvalidCheckpoint(e.to_string());
    let mut note = Note::new(text.as_bytes(), &[]).map_err(invalid)?;
    note.add_sigs(&[signer]).map_err(invalid)?;
    String::from_utf8(note.to_bytes()).map_err(|e| LedgerError::InvalidCheckpoint(e.to_string()))
}

/// A stream's entries (in stream order, each with its proof) as the bundle holds them, and the
/// head the statement names.
pub fn bundle_stream(
    role: &str,
    stream: &str,
    entries: &[(Entry, Vec<Hash>)],
) -> Result<(BundledStream, StreamHead), LedgerError> {
    let mut bundled = Vec::with_capacity(entries.len());
    for (entry, proof) in entries {
        bundled.push(BundledEntry {
            seq: u64::try_from(entry.seq).unwrap_or_default(),
            hash: hex::encode(&entry.hash),
            entry: utf8(entry, &entry.entry_bytes, "entry_bytes")?,
            payload: utf8(entry, &entry.payload_bytes, "payload_bytes")?,
            inclusion_proof: proof.iter().map(|h| BASE64.encode(h)).collect(),
        });
    }
    let head = StreamHead {
        role: role.to_owned(),
        stream: stream.to_owned(),
        count: bundled.len() as u64,
        last_hash: entries
            .last()
            .and_then(|(entry, _)| entry.hash_array())
            .unwrap_or(ZERO_HASH),
    };
    let stream = BundledStream {
        stream: stream.to_owned(),
        role: role.to_owned(),
        entries: bundled,
    };
    Ok((stream, head))
}

fn utf8(entry: &Entry, bytes: &[u8], what: &str) -> Result<String, LedgerError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| LedgerError::Corrupt {
        seq: entry.seq,
        reason: format!("{what} are not UTF-8"),
    })
}
