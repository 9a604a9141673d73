//! The checks one entry needs on its own, with no other entry: its hash, its header bytes
//! against its columns, and its payload. Pure, so they run on every core at once.
//!
//! Each has a fast path that only ever says "these bytes are exactly the canonical ones" and
//! otherwise hands over to the slow path, which parses and re-canonicalizes as verification
//! always did and names what is wrong. The fast paths compare bytes, with nothing parsed and
//! nothing allocated ([`fast_path`]), so equal bytes prove what the slow path proves:
//! - header: `entry_bytes` are the canonical bytes of the header the columns claim (built from
//!   the columns piece by piece, in RFC 8785 member order); parsing them gives that header back
//!   (strings and exact integers round-trip), so they parse as a version-1 header equal to the
//!   columns, and re-canonicalizing it gives the same bytes;
//! - payload: its SHA-256 is the `payload_sha256` column, and its bytes are canonical JSON of
//!   an object as [`fast_path::is_canonical_object`] recognizes it, so the canonical bytes of
//!   the parsed payload are the stored bytes.
//!
//! Between the two, payloads the scanner does not recognize (floats, integers past 2^53, keys
//! outside printable ASCII) are still parsed and written back with serde_json where its output
//! is RFC 8785's, before the canonicalizer itself is asked.

use std::io;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::super::canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash};
use super::super::entry::{Entry, EntryHeader, ENTRY_VERSION};
#[cfg(test)]
use super::fast_path::EXACT_INTEGER;
use super::fast_path::{self, is_canonical_object, is_hex_of, Expect};

/// The entry's own checks, in the order the slow path made them; its leaf hash when they pass.
pub(super) fn check_entry(entry: &Entry) -> Result<Hash, String> {
    let hash = leaf_hash(&entry.entry_bytes);
    if entry.hash != hash {
        return Err("hash does not match SHA-256(0x00 || entry_bytes)".to_owned());
    }
    if !header_matches_columns(entry) {
        check_header(entry)?;
    }
    if !payload_is_canonical(entry) {
        check_payload(entry)?;
    }
    Ok(hash)
}

/// The fast path: `entry_bytes` are exactly the canonical bytes of the header the columns
/// claim, its members in RFC 8785 order (ascending ASCII names). False means only "take the
/// slow path", never "wrong".
fn header_matches_columns(entry: &Entry) -> bool {
    if entry.v != ENTRY_VERSION {
        return false;
    }
    let mut expect = Expect::new(&entry.entry_bytes);
    expect
        .raw(b"{\"actor\":")
        .string(&entry.actor)
        .raw(b",\"kind\":")
        .string(&entry.kind)
        .raw(b",\"payload_sha256\":")
        .string(&entry.payload_sha256)
        .raw(b",\"prev_hash\":")
        .hex(&entry.prev_hash)
        .raw(b",\"recorded_at\":")
        .string(&entry.recorded_at)
        .raw(b",\"seq\":")
        .integer(entry.seq)
        .raw(b",\"stream\":")
        .string(&entry.stream)
        .raw(b",\"stream_prev_hash\":")
        .hex(&entry.stream_prev_hash)
        .raw(b",\"stream_seq\":")
        .integer(entry.stream_seq)
        .raw(b",\"v\":")
        .integer(i64::from(entry.v))
        .raw(b"}");
    expect.is_exact()
}

/// The fast path for the payload: it matches its hash column and is a canonical JSON object.
/// False means only "take the slow path".
fn payload_is_canonical(entry: &Entry) -> bool {
    let digest: Hash = Sha256::digest(&entry.payload_bytes).into();
    is_hex_of(&entry.payload_sha256, &digest) && is_canonical_object(&entry.payload_bytes)
}

/// Whether serde_json writes `value` as RFC 8785 would (see the module's notes).
fn serde_json_writes_canonically(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i64::unsigned_abs)
            .or_else(|| n.as_u64())
            .is_some_and(|n| n <= fast_path::EXACT_INTEGER),
        Value::Array(items) => items.iter().all(serde_json_writes_canonically),
        Value::Object(map) => {
            map.keys().all(|key| key.is_ascii())
                && map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b)
                && map.values().all(serde_json_writes_canonically)
        }
        Value::Null | Value::Bool(_) | Value::String(_) => true,
    }
}

/// Whether `write` writes exactly `expected`; stops at the first difference.
fn writes_exactly(
    write: impl FnOnce(&mut Matcher<'_>) -> serde_json::Result<()>,
    expected: &[u8],
) -> bool {
    let mut matcher = Matcher {
        rest: expected,
        differs: false,
    };
    write(&mut matcher).is_ok() && matcher.rest.is_empty()
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
    let fast = serde_json_writes_canonically(&payload)
        && writes_exactly(|w| serde_json::to_writer(w, &payload), &entry.payload_bytes);
    if !fast && !canonical_equals(&payload, &entry.payload_bytes)? {
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
