//! The checks one entry needs on its own, with no other entry: its hash, its header bytes
//! against its columns, and its payload. Pure, so they run on every core at once.
//!
//! The header's fast path serializes the header the columns claim with the canonicalizer and
//! compares bytes with `entry_bytes`; only when they differ does the slow path parse the bytes
//! to name what is wrong. Equal bytes prove what the slow path proves: parsing the canonical
//! bytes of a header gives that header back (every field is a string or an integer of at most
//! 2^53, which the canonicalizer writes exactly), so the stored bytes parse as a version-1
//! header equal to the columns, and re-canonicalizing it gives the same bytes.

use std::io;

use serde::Serialize;

use super::super::canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash};
use super::super::entry::{Entry, EntryHeader, ENTRY_VERSION};

/// Integers up to this magnitude are exact in an f64, so the canonicalizer (which writes
/// numbers as ECMAScript doubles) writes them digit for digit.
const EXACT_INTEGER: u64 = 1 << 53;

/// The entry's own checks, in the order the slow path made them; its leaf hash when they pass.
pub(super) fn check_entry(entry: &Entry) -> Result<Hash, String> {
    let hash = leaf_hash(&entry.entry_bytes);
    if entry.hash != hash {
        return Err("hash does not match SHA-256(0x00 || entry_bytes)".to_owned());
    }
    if !header_matches_columns(entry) {
        check_header(entry)?;
    }
    check_payload(entry)?;
    Ok(hash)
}

/// The fast path: `entry_bytes` are exactly the canonical bytes of the header the columns
/// claim. False means only "take the slow path", never "wrong".
fn header_matches_columns(entry: &Entry) -> bool {
    let exact = |n: i64| n.unsigned_abs() <= EXACT_INTEGER;
    entry.v == ENTRY_VERSION
        && exact(entry.seq)
        && exact(entry.stream_seq)
        && matches!(
            canonical_equals(&entry.header(), &entry.entry_bytes),
            Ok(true)
        )
}

/// The stored bytes must be canonical, of format version 1, and say what the columns say.
pub(super) fn check_header(entry: &Entry) -> Result<(), String> {
    let header: EntryHeader = serde_json::from_slice(&entry.entry_bytes)
        .map_err(|e| format!("entry_bytes are not a version-1 entry: {e}"))?;
    if header.v != ENTRY_VERSION {
        return Err(format!("unknown entry format version {}", header.v));
    }
    let recanonical = canonical_bytes(&header).map_err(|e| e.to_string())?;
    if recanonical != entry.entry_bytes {
        return Err("entry_bytes are not in RFC 8785 canonical form".to_owned());
    }
    let columns = entry.header();
    if header != columns {
        return Err(format!(
            "entry_bytes disagree with the stored columns ({})",
            differing_fields(&header, &columns)
        ));
    }
    Ok(())
}

/// The payload bytes must match their hash column and be a canonical JSON object. Their
/// canonical form is written straight into a comparison with the stored bytes: no copy.
pub(super) fn check_payload(entry: &Entry) -> Result<(), String> {
    if payload_sha256(&entry.payload_bytes) != entry.payload_sha256 {
        return Err("payload_bytes do not match payload_sha256".to_owned());
    }
    let payload: serde_json::Value = serde_json::from_slice(&entry.payload_bytes)
        .map_err(|e| format!("payload_bytes are not JSON: {e}"))?;
    if !payload.is_object() {
        return Err("payload is not a JSON object".to_owned());
    }
    if !canonical_equals(&payload, &entry.payload_bytes)? {
        return Err("payload_bytes are not in RFC 8785 canonical form".to_owned());
    }
    Ok(())
}

/// Whether `canonical_bytes(value) == expected`, without building the canonical bytes: they
/// are compared as the canonicalizer writes them, and the first difference stops it. An error
/// is the canonicalizer's own (as `canonical_bytes` would have returned it).
fn canonical_equals<T: Serialize>(value: &T, expected: &[u8]) -> Result<bool, String> {
    let mut matcher = Matcher {
        rest: expected,
        differs: false,
    };
    match serde_json_canonicalizer::to_writer(value, &mut matcher) {
        Ok(()) => Ok(matcher.rest.is_empty()),
        Err(_) if matcher.differs => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// A writer that checks what is written against the bytes still expected.
struct Matcher<'a> {
    rest: &'a [u8],
    differs: bool,
}

impl io::Write for Matcher<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.rest.strip_prefix(buf) {
            Some(rest) => {
                self.rest = rest;
                Ok(buf.len())
            }
            None => {
                self.differs = true;
                Err(io::Error::other("differs from the stored bytes"))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn differing_fields(a: &EntryHeader, b: &EntryHeader) -> String {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return "unreadable".to_owned();
    };
    a.iter()
        .filter(|(key, value)| b.get(*key) != Some(value))
        .map(|(key, _)| key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "entry_check_tests.rs"]
mod tests;
