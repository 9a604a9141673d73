//! Full verification (invariant 4 of the design notes): recompute every hash from the stored
//! bytes, check that the bytes agree with the columns, and check both chains are gapless.

use std::collections::HashMap;

use diesel::prelude::*;

use super::canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash, ZERO_HASH};
use super::entry::{Entry, EntryHeader, ENTRY_VERSION};
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

const PAGE: i64 = 2_000;

/// The first entry found wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {reason}")]
pub struct VerifyFailure {
    pub seq: i64,
    pub reason: String,
}

/// What a verification run saw: how many entries were checked and the head it reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub head: Option<Hash>,
    pub failure: Option<VerifyFailure>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }
}

impl std::fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.failure, self.head) {
            (Some(failure), _) => write!(f, "FAILED at {failure}"),
            (None, Some(head)) => write!(
                f,
                "ok: {} entries, head {}",
                self.entries,
                hex::encode(head)
            ),
            (None, None) => write!(f, "ok: 0 entries, head (empty ledger)"),
        }
    }
}

/// Verifies the ledger up to the head it finds when it starts; entries appended meanwhile are
/// left for the next run. Reads in pages, so memory stays flat however long the ledger is.
pub fn verify(conn: &mut DbConn) -> Result<VerifyReport, LedgerError> {
    let last_seq: Option<i64> = le::ledger_entries
        .select(diesel::dsl::max(le::seq))
        .first(conn)?;
    let mut chain = Chain::default();
    let Some(last_seq) = last_seq else {
        return Ok(chain.report(None));
    };
    let mut cursor = 0;
    loop {
        let page: Vec<Entry> = le::ledger_entries
            .filter(le::seq.ge(cursor).and(le::seq.le(last_seq)))
            .order(le::seq.asc())
            .limit(PAGE)
            .select(Entry::as_select())
            .load(conn)?;
        let Some(last) = page.last() else { break };
        cursor = last.seq + 1;
        for entry in &page {
            if let Err(reason) = chain.check(entry) {
                let seq = chain.next_seq.min(entry.seq);
                return Ok(chain.report(Some(VerifyFailure { seq, reason })));
            }
        }
    }
    Ok(chain.report(None))
}

#[derive(Default)]
struct Chain {
    next_seq: i64,
    head: Option<Hash>,
    /// Per stream: the next stream_seq and the hash of the stream's last entry.
    streams: HashMap<String, (i64, Hash)>,
}

impl Chain {
    fn report(self, failure: Option<VerifyFailure>) -> VerifyReport {
        VerifyReport {
            entries: u64::try_from(self.next_seq).unwrap_or(0),
            head: self.head,
            failure,
        }
    }

    fn check(&mut self, entry: &Entry) -> Result<(), String> {
        if entry.seq != self.next_seq {
            return Err(format!(
                "entry is missing (the next stored entry has seq {})",
                entry.seq
            ));
        }
        let hash = leaf_hash(&entry.entry_bytes);
        if entry.hash != hash {
            return Err("hash does not match SHA-256(0x00 || entry_bytes)".to_owned());
        }
        check_header(entry)?;
        check_payload(entry)?;
        let prev = self.head.unwrap_or(ZERO_HASH);
        if entry.prev_hash != prev {
            return Err("prev_hash does not equal the hash of the previous entry".to_owned());
        }
        let (stream_seq, stream_prev) = self
            .streams
            .get(&entry.stream)
            .copied()
            .unwrap_or((0, ZERO_HASH));
        if entry.stream_seq != stream_seq {
            return Err(format!(
                "stream_seq is {} but stream {} expects {}",
                entry.stream_seq, entry.stream, stream_seq
            ));
        }
        if entry.stream_prev_hash != stream_prev {
            return Err(format!(
                "stream_prev_hash does not equal the hash of the previous entry of {}",
                entry.stream
            ));
        }
        self.streams
            .insert(entry.stream.clone(), (stream_seq + 1, hash));
        self.head = Some(hash);
        self.next_seq += 1;
        Ok(())
    }
}

/// The stored bytes must be canonical, of format version 1, and say what the columns say.
fn check_header(entry: &Entry) -> Result<(), String> {
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

fn check_payload(entry: &Entry) -> Result<(), String> {
    if payload_sha256(&entry.payload_bytes) != entry.payload_sha256 {
        return Err("payload_bytes do not match payload_sha256".to_owned());
    }
    let payload: serde_json::Value = serde_json::from_slice(&entry.payload_bytes)
        .map_err(|e| format!("payload_bytes are not JSON: {e}"))?;
    if !payload.is_object() {
        return Err("payload is not a JSON object".to_owned());
    }
    if canonical_bytes(&payload).map_err(|e| e.to_string())? != entry.payload_bytes {
        return Err("payload_bytes are not in RFC 8785 canonical form".to_owned());
    }
    Ok(())
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
