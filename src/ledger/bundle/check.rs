//! `cartrec verify-bundle`: checks a batch export bundle against a verifier key the inspector
//! trusts, with no server and no database, and names exactly what is wrong.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use signed_note::{Note, NoteError, Signature, StandardVerifier, VerifierList};
use tlog_tiles::Checkpoint as TreeHead;

use super::{Bundle, BundledEntry, BundledStream, StreamHead, FORMAT, STATEMENT_HEADER};
use crate::ledger::canonical::{canonical_bytes, leaf_hash, payload_sha256};
use crate::ledger::merkle::verify_inclusion;
use crate::ledger::{EntryHeader, Hash, ZERO_HASH};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a cartrec batch export bundle: {0}")]
    Malformed(String),
    #[error("the trusted verifier key is not a signed-note vkey: {0}")]
    TrustedKey(String),
    #[error(
        "the {note} is signed by {signers}, not by the trusted key {trusted}: the bundle comes \
         from another key"
    )]
    OtherKey {
        note: &'static str,
        signers: String,
        trusted: String,
    },
    #[error("the {note}'s signature by the trusted key does not verify: the {note} was altered")]
    BadSignature { note: &'static str },
    #[error("the {note} is malformed: {reason}")]
    BadNote { note: &'static str, reason: String },
    #[error("the signed statement does not match the bundle: {0}")]
    Statement(String),
    #[error("stream {stream}: {reason}")]
    Stream { stream: String, reason: String },
    #[error("entry seq {seq} ({stream}): {reason}")]
    Entry {
        stream: String,
        seq: u64,
        reason: String,
    },
}

/// What a bundle that checks out proves: these streams, complete up to the checkpoint, signed
/// by the trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub batch_number: String,
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub streams: Vec<CheckedStream>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStream {
    pub role: String,
    pub stream: String,
    pub entries: u64,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let total: u64 = self.streams.iter().map(|s| s.entries).sum();
        writeln!(
            f,
            "ok: batch {}: {total} entries in {} streams, each in checkpoint {} of {} (root {}), \
             signed by the trusted key; every stream complete from its first entry",
            self.batch_number,
            self.streams.len(),
            self.size,
            self.origin,
            BASE64.encode(self.root)
        )?;
        for stream in &self.streams {
            writeln!(
                f,
                "  {:<18} {:<40} {} entries",
                stream.role, stream.stream, stream.entries
            )?;
        }
        Ok(())
    }
}

/// Checks every signature, hash, link and proof in the bundle against `trusted_vkey`.
pub fn check(bundle: &[u8], trusted_vkey: &str) -> Result<Checked, BundleError> {
    let bundle: Bundle =
        serde_json::from_slice(bundle).map_err(|e| BundleError::Malformed(e.to_string()))?;
    if bundle.format != FORMAT {
        return Err(BundleError::Malformed(format!(
            "its format is `{}`, this verifier reads `{FORMAT}`",
            bundle.format
        )));
    }
    let trusted = trusted_vkey.trim();
    let checkpoint = open_note("checkpoint", &bundle.checkpoint, trusted)?;
    let head = TreeHead::from_bytes(checkpoint.text()).map_err(|e| BundleError::BadNote {
        note: "checkpoint",
        reason: e.to_string(),
    })?;
    let (size, root) = (head.size(), head.hash().0);
    let statement = open_note("statement", &bundle.statement, trusted)?;
    let heads = read_statement(statement.text(), &bundle.batch_number, size, &root)?;
    check_stream_list(&bundle.streams, &heads)?;
    for (stream, head) in bundle.streams.iter().zip(&heads) {
        check_stream(stream, head, size, &root)?;
    }
    Ok(Checked {
        batch_number: bundle.batch_number,
        origin: head.origin().to_owned(),
        size,
        root,
        streams: heads
            .into_iter()
            .map(|h| CheckedStream {
                role: h.role,
                stream: h.stream,
                entries: h.count,
            })
            .collect(),
    })
}

/// A note with a valid signature by the trusted key; a note signed only by others is named as
/// such, with the keys it is signed by.
fn open_note(note_name: &'static str, text: &str, trusted: &str) -> Result<Note, BundleError> {
    let verifier =
        StandardVerifier::new(trusted).map_err(|e| BundleError::TrustedKey(e.to_string()))?;
    let note = Note::from_bytes(text.as_bytes()).map_err(|e| BundleError::BadNote {
        note: note_name,
        reason: e.to_string(),
    })?;
    match note.verify(&VerifierList::new(vec![Box::new(verifier)])) {
        Ok(_) => Ok(note),
        Err(NoteError::UnverifiedNote) => Err(BundleError::OtherKey {
            note: note_name,
            signers: signers(text),
            trusted: key_label(trusted),
        }),
        Err(NoteError::InvalidSignature { .. }) => {
            Err(BundleError::BadSignature { note: note_name })
        }
        Err(e) => Err(BundleError::BadNote {
            note: note_name,
            reason: e.to_string(),
        }),
    }
}

/// The `name+id` of every signature line of a note.
fn signers(text: &str) -> String {
    let lines = text.rsplit_once("\n\n").map_or("", |(_, sigs)| sigs);
    let names: Vec<String> = lines
        .lines()
        .filter_map(|line| Signature::from_bytes(line.as_bytes()).ok())
        .map(|sig| format!("{}+{:08x}", sig.name(), sig.id()))
        .collect();
    if names.is_empty() {
        "no key".to_owned()
    } else {
        names.join(", ")
    }
}

/// `name+id` of a vkey `name+id+key`.
fn key_label(vkey: &str) -> String {
    vkey.rsplit_once('+')
        .map_or(vkey, |(label, _)| label)
        .to_owned()
}

fn read_statement(
    text: &[u8],
    batch_number: &str,
    size: u64,
    root: &Hash,
) -> Result<Vec<StreamHead>, BundleError> {
    let wrong = |what: String| BundleError::Statement(what);
    let text = std::str::from_utf8(text).map_err(|_| wrong("it is not UTF-8".into()))?;
    let mut lines = text.lines();
    if lines.next() != Some(STATEMENT_HEADER) {
        return Err(wrong(format!("its first line is not `{STATEMENT_HEADER}`")));
    }
    let expected_batch = format!("batch {batch_number}");
    if lines.next() != Some(expected_batch.as_str()) {
        return Err(wrong(format!("it is not about batch {batch_number}")));
    }
    let expected_checkpoint = format!("checkpoint {size} {}", BASE64.encode(root));
    if lines.next() != Some(expected_checkpoint.as_str()) {
        return Err(wrong(format!(
            "it was made for another checkpoint than the bundle's ({size} entries)"
        )));
    }
    lines.map(read_stream_line).collect::<Result<_, _>>()
}

fn read_stream_line(line: &str) -> Result<StreamHead, BundleError> {
    let wrong = || BundleError::Statement(format!("unreadable line `{line}`"));
    let parts: Vec<&str> = line.split(' ').collect();
    let ["stream", role, stream, count, last_hash] = parts[..] else {
        return Err(wrong());
    };
    let last_hash = hex::decode(last_hash)
        .ok()
        .and_then(|h| Hash::try_from(h).ok())
        .ok_or_else(wrong)?;
    Ok(StreamHead {
        role: role.to_owned(),
        stream: stream.to_owned(),
        count: count.parse().map_err(|_| wrong())?,
        last_hash,
    })
}

/// The bundle holds exactly the streams the statement lists, in its order.
fn check_stream_list(streams: &[BundledStream], heads: &[StreamHead]) -> Result<(), BundleError> {
    for head in heads {
        if !streams.iter().any(|s| s.stream == head.stream) {
            return Err(BundleError::Stream {
                stream: head.stream.clone(),
                reason: "the signed statement lists it but the bundle does not hold it: it was \
                         removed"
                    .to_owned(),
            });
        }
    }
    for (index, stream) in streams.iter().enumerate() {
        match heads.get(index) {
            Some(head) if head.stream == stream.stream && head.role == stream.role => {}
            _ => {
                return Err(BundleError::Stream {
                    stream: stream.stream.clone(),
                    reason: "it is not where the signed statement lists it (with its role)"
                        .to_owned(),
                })
            }
        }
    }
    Ok(())
}

fn check_stream(
    stream: &BundledStream,
    head: &StreamHead,
    size: u64,
    root: &Hash,
) -> Result<(), BundleError> {
    let mut previous: Option<(u64, Hash)> = None;
    for (position, bundled) in stream.entries.iter().enumerate() {
        let fail = |reason: String| BundleError::Entry {
            stream: stream.stream.clone(),
            seq: bundled.seq,
            reason,
        };
        let hash =
            check_entry(stream, bundled, position as u64, previous, size, root).map_err(fail)?;
        previous = Some((bundled.seq, hash));
    }
    let (count, last_hash) = (
        stream.entries.len() as u64,
        previous.map_or(ZERO_HASH, |(_, h)| h),
    );
    if count != head.count || last_hash != head.last_hash {
        return Err(BundleError::Stream {
            stream: stream.stream.clone(),
            reason: format!(
                "the signed statement lists {} entries ending in {}, the bundle holds {count}: \
                 entries were dropped from its end",
                head.count,
                hex::encode(head.last_hash)
            ),
        });
    }
    Ok(())
}

/// One entry: its bytes hash to its listed hash, it says it is where it is listed, it links to
/// the entry before it in the stream, its payload is the one it names, and its proof leads to
/// the checkpoint's root.
fn check_entry(
    stream: &BundledStream,
    bundled: &BundledEntry,
    position: u64,
    previous: Option<(u64, Hash)>,
    size: u64,
    root: &Hash,
) -> Result<Hash, String> {
    let hash = leaf_hash(bundled.entry.as_bytes());
    if hex::encode(hash) != bundled.hash {
        return Err("its bytes do not hash to its listed hash: the entry was altered".to_owned());
    }
    let header: EntryHeader =
        serde_json::from_str(&bundled.entry).map_err(|e| format!("not a version-1 entry: {e}"))?;
    let canonical = canonical_bytes(&header).map_err(|e| e.to_string())?;
    if canonical != bundled.entry.as_bytes() {
        return Err("its bytes are not in RFC 8785 canonical form".to_owned());
    }
    if header.stream != stream.stream || u64::try_from(header.seq).ok() != Some(bundled.seq) {
        return Err(format!(
            "it says it is seq {} of {}, not where the bundle lists it",
            header.seq, header.stream
        ));
    }
    check_link(&header, position, previous)?;
    if payload_sha256(bundled.payload.as_bytes()) != header.payload_sha256 {
        return Err("its payload does not match payload_sha256: the payload was altered".into());
    }
    let proof: Vec<Vec<u8>> = bundled
        .inclusion_proof
        .iter()
        .map(|h| BASE64.decode(h))
        .collect::<Result<_, _>>()
        .map_err(|_| "its inclusion proof is not base64".to_owned())?;
    verify_inclusion(&hash, bundled.seq, size, &proof, root).map_err(|e| {
        format!(
            "its inclusion proof does not lead to the root of the checkpoint of {size} entries \
             ({e}): the proof was swapped or the entry is not in the log"
        )
    })?;
    Ok(hash)
}

/// The stream's chain: positions 0, 1, 2... each linking to the hash of the one before.
fn check_link(
    header: &EntryHeader,
    position: u64,
    previous: Option<(u64, Hash)>,
) -> Result<(), String> {
    let stream_seq = u64::try_from(header.stream_seq).unwrap_or(u64::MAX);
    if stream_seq > position {
        let after = previous.map_or("the start of the stream".to_owned(), |(seq, _)| {
            format!("seq {seq}")
        });
        let dropped = if stream_seq == position + 1 {
            format!("entry {position} of the stream was dropped")
        } else {
            format!(
                "entries {position} to {} of the stream were dropped",
                stream_seq - 1
            )
        };
        return Err(format!(
            "it is entry {stream_seq} of its stream but follows {after}: {dropped}"
        ));
    }
    if stream_seq < position {
        return Err(format!(
            "it is entry {stream_seq} of its stream, listed at position {position}: entries are \
             duplicated or out of order"
        ));
    }
    let expected = previous.map_or(ZERO_HASH, |(_, hash)| hash);
    if header.stream_prev_hash != hex::encode(expected) {
        return Err(
            "its stream_prev_hash is not the hash of the entry before it in the stream".to_owned(),
        );
    }
    Ok(())
}
