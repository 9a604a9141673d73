//! The entry format (version 1): its fields, the names it may hold, and its canonical header.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash};
use super::LedgerError;
use crate::db::schema::ledger_entries;

pub const ENTRY_VERSION: i32 = 1;

/// What an event belongs to: `batch/<id>`, `user/<username>`, `template/<id>`, `coi/<id>`,
/// `lot/<id>`, `equipment/<id>`, `attachment/<sha256>` or `system`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Stream(String);

impl Stream {
    /// `coi/<identifier>` reserves a chain-of-identity identifier for one batch; `lot/` and
    /// `equipment/` hold the history of a material lot and of a piece of equipment.
    const PREFIXES: [&'static str; 8] = [
        "batch/",
        "user/",
        "template/",
        "coi/",
        "lot/",
        "equipment/",
        "attachment/",
        // `ledger/incidents`: the records that let a read-only instance write again.
        "ledger/",
    ];

    pub fn parse(raw: &str) -> Result<Self, LedgerError> {
        let valid = raw == "system"
            || Self::PREFIXES.iter().any(|prefix| {
                raw.strip_prefix(prefix)
                    .is_some_and(|id| is_identifier(id, 128))
            });
        if valid {
            Ok(Stream(raw.to_owned()))
        } else {
            Err(LedgerError::InvalidStream(raw.to_owned()))
        }
    }

    pub fn system() -> Self {
        Stream("system".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A stream named `<prefix><id>`, e.g. `Stream::named("lot/", "L-00001")`.
    pub fn named(prefix: &str, id: &str) -> Result<Self, LedgerError> {
        Self::parse(&format!("{prefix}{id}"))
    }
}

/// A dotted event name such as `user.created`: lowercase words joined by dots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EventKind(String);

impl EventKind {
    pub fn parse(raw: &str) -> Result<Self, LedgerError> {
        let words: Vec<&str> = raw.split('.').collect();
        let valid = words.len() >= 2
            && raw.len() <= 64
            && words.iter().all(|w| {
                !w.is_empty()
                    && w.starts_with(|c: char| c.is_ascii_lowercase())
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        if valid {
            Ok(EventKind(raw.to_owned()))
        } else {
            Err(LedgerError::InvalidKind(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who caused an event: an authenticated user name, or `system` for the server itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(String);

impl Actor {
    pub fn system() -> Self {
        Actor("system".to_owned())
    }

    pub fn user(username: &crate::domain::Username) -> Self {
        Actor(username.as_str().to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_identifier(id: &str, max_len: usize) -> bool {
    !id.is_empty()
        && id.len() <= max_len
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A typed event payload. Each kind has one struct, serialized once, here.
pub trait Payload: Serialize {
    const KIND: &'static str;
}

/// An event waiting to be appended: where it goes, what it is, and its payload.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub stream: Stream,
    pub kind: EventKind,
    pub payload: serde_json::Value,
}

impl NewEvent {
    pub fn new<P: Payload>(stream: Stream, payload: &P) -> Result<Self, LedgerError> {
        Self::from_value(
            stream,
            EventKind::parse(P::KIND)?,
            serde_json::to_value(payload)?,
        )
    }

    /// A typed event of a stream's enum (`#[serde(tag = "kind", content = "payload")]`):
    /// its variant names the kind and its content is the payload.
    pub fn typed<E: Serialize>(stream: Stream, event: &E) -> Result<Self, LedgerError> {
        let serde_json::Value::Object(mut tagged) = serde_json::to_value(event)? else {
            return Err(LedgerError::PayloadNotObject);
        };
        let kind = match tagged.remove("kind") {
            Some(serde_json::Value::String(kind)) => EventKind::parse(&kind)?,
            _ => return Err(LedgerError::InvalidKind(String::new())),
        };
        let payload = tagged.remove("payload").unwrap_or(serde_json::Value::Null);
        Self::from_value(stream, kind, payload)
    }

    pub fn from_value(
        stream: Stream,
        kind: EventKind,
        payload: serde_json::Value,
    ) -> Result<Self, LedgerError> {
        if !payload.is_object() {
            return Err(LedgerError::PayloadNotObject);
        }
        Ok(NewEvent {
            stream,
            kind,
            payload,
        })
    }
}

/// Every field of an entry except `hash`: its canonical bytes are what `hash` commits to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryHeader {
    pub v: i32,
    pub seq: i64,
    pub stream: String,
    pub stream_seq: i64,
    pub kind: String,
    pub actor: String,
    pub recorded_at: String,
    pub payload_sha256: String,
    pub prev_hash: String,
    pub stream_prev_hash: String,
}

/// The server clock in the ledger's one timestamp form: UTC, exactly 6 fractional digits, `Z`.
/// Truncated to microseconds so that it survives a PostgreSQL round trip unchanged.
pub fn format_recorded_at(at: DateTime<Utc>) -> String {
    at.trunc_subsecs(6)
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// A stored entry, exactly as its row holds it (by name too: verification reads it through a
/// cursor).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct Entry {
    pub seq: i64,
    pub v: i32,
    pub stream: String,
    pub stream_seq: i64,
    pub kind: String,
    pub actor: String,
    pub recorded_at: String,
    pub payload_sha256: String,
    pub prev_hash: Vec<u8>,
    pub stream_prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    pub entry_bytes: Vec<u8>,
    pub payload_bytes: Vec<u8>,
}

use diesel::prelude::{Insertable, Queryable, QueryableByName, Selectable};

/// Where a new entry goes: its global and stream positions and the hashes they link to.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub seq: i64,
    pub prev_hash: Hash,
    pub stream_seq: i64,
    pub stream_prev_hash: Hash,
}

impl Entry {
    /// Builds the entry that `event` becomes at `position`: canonical payload bytes, their
    /// hash, canonical entry bytes and the leaf hash. Pure, so the format can be pinned by tests.
    pub fn seal(
        position: Position,
        actor: &Actor,
        event: &NewEvent,
        recorded_at: String,
    ) -> Result<Entry, LedgerError> {
        let payload_bytes = canonical_bytes(&event.payload)?;
        let header = EntryHeader {
            v: ENTRY_VERSION,
            seq: position.seq,
            stream: event.stream.as_str().to_owned(),
            stream_seq: position.stream_seq,
            kind: event.kind.as_str().to_owned(),
            actor: actor.as_str().to_owned(),
            recorded_at,
            payload_sha256: payload_sha256(&payload_bytes),
            prev_hash: hex::encode(position.prev_hash),
            stream_prev_hash: hex::encode(position.stream_prev_hash),
        };
        let entry_bytes = canonical_bytes(&header)?;
        Ok(Entry {
            seq: header.seq,
            v: header.v,
            stream: header.stream,
            stream_seq: header.stream_seq,
            kind: header.kind,
            actor: header.actor,
            recorded_at: header.recorded_at,
            payload_sha256: header.payload_sha256,
            prev_hash: position.prev_hash.to_vec(),
            stream_prev_hash: position.stream_prev_hash.to_vec(),
            hash: leaf_hash(&entry_bytes).to_vec(),
            entry_bytes,
            payload_bytes,
        })
    }

    /// The header these columns claim, to compare with the one `entry_bytes` holds.
    pub fn header(&self) -> EntryHeader {
        EntryHeader {
            v: self.v,
            seq: self.seq,
            stream: self.stream.clone(),
            stream_seq: self.stream_seq,
            kind: self.kind.clone(),
            actor: self.actor.clone(),
            recorded_at: self.recorded_at.clone(),
            payload_sha256: self.payload_sha256.clone(),
            prev_hash: hex::encode(&self.prev_hash),
            stream_prev_hash: hex::encode(&self.stream_prev_hash),
        }
    }

    pub fn payload(&self) -> Result<serde_json::Value, LedgerError> {
        serde_json::from_slice(&self.payload_bytes).map_err(|e| LedgerError::Corrupt {
            seq: self.seq,
            reason: format!("payload_bytes are not JSON: {e}"),
        })
    }

    pub fn hash_array(&self) -> Option<Hash> {
        self.hash.as_slice().try_into().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-LED-1
    #[test]
    fn streams_accept_the_four_shapes_and_nothing_else() {
        for ok in [
            "system",
            "user/alice",
            "batch/B-2026-001",
            "template/cd19.v1",
        ] {
            assert!(Stream::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "users/alice",
            "user/",
            "batch/a b",
            "system/x",
            "user/ä",
        ] {
            assert!(Stream::parse(bad).is_err(), "{bad}");
        }
    }

    /// Covers: GMP-LED-1
    #[test]
    fn kinds_are_dotted_lowercase_words() {
        assert!(EventKind::parse("user.created").is_ok());
        assert!(EventKind::parse("batch.step_recorded").is_ok());
        for bad in [
            "user",
            "User.created",
            "user..created",
            ".x",
            "user.created!",
        ] {
            assert!(EventKind::parse(bad).is_err(), "{bad}");
        }
    }

    /// Covers: GMP-LED-1
    #[test]
    fn recorded_at_has_exactly_six_fractional_digits() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T10:00:00.123456789Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(format_recorded_at(at), "2026-11-24T10:00:00.123456Z");
        let whole = DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(format_recorded_at(whole), "2026-11-24T10:00:00.000000Z");
    }
}
