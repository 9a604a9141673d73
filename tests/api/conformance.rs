//! Third-party vectors (RFC 8785) and pinned golden hashes: the entry format can never drift.

use std::path::PathBuf;

use cartrec::domain::Username;
use cartrec::ledger::{
    canonical_bytes, Actor, Entry, EventKind, NewEvent, Position, Stream, ZERO_HASH,
};
use serde_json::json;

fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance")
}

/// Covers: GMP-LED-2
#[test]
fn every_rfc8785_vector_canonicalizes_to_its_expected_bytes() {
    let dir = conformance_dir().join("jcs");
    let mut checked = 0;
    for file in std::fs::read_dir(dir.join("input")).expect("JCS vectors present") {
        let path = file.expect("readable").path();
        let name = path.file_name().expect("file name").to_owned();
        let input = std::fs::read_to_string(&path).expect("input");
        let value: serde_json::Value = serde_json::from_str(&input).expect("input is JSON");
        let expected = std::fs::read(dir.join("output").join(&name)).expect("output");
        let actual = canonical_bytes(&value).expect("canonicalizes");
        assert_eq!(
            String::from_utf8_lossy(&actual),
            String::from_utf8_lossy(&expected),
            "{}",
            name.to_string_lossy()
        );
        let hex_name = name.to_string_lossy().replace(".json", ".txt");
        let hex_text = std::fs::read_to_string(dir.join("outhex").join(hex_name)).expect("outhex");
        let from_hex: Vec<u8> = hex_text
            .split_whitespace()
            .map(|byte| u8::from_str_radix(byte, 16).expect("hex byte"))
            .collect();
        assert_eq!(actual, from_hex, "{} (outhex)", name.to_string_lossy());
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} JCS vectors found");
}

fn fixed_entries() -> Vec<Entry> {
    let alice = Username::parse("alice").expect("valid");
    let events = [
        (
            Actor::system(),
            "user/alice",
            "user.created",
            json!({"username": "alice", "full_name": "Alice Example", "roles": ["operator"], "must_change_password": true}),
        ),
        (
            Actor::user(&alice),
            "user/alice",
            "user.login_succeeded",
            json!({"session_id": "00000000-0000-4000-8000-000000000001", "client": "127.0.0.1"}),
        ),
        (
            Actor::user(&alice),
            "batch/B-2026-0001",
            "batch.step_recorded",
            json!({"step": "apheresis_receipt", "viability": {"text": "1.25e8", "unit": "cells"}, "note": "Zürich ✓"}),
        ),
    ];
    let mut entries: Vec<Entry> = Vec::new();
    for (i, (actor, stream, kind, payload)) in events.into_iter().enumerate() {
        let stream = Stream::parse(stream).expect("stream");
        let previous_in_stream = entries.iter().rev().find(|e| e.stream == stream.as_str());
        let position = Position {
            seq: i as i64,
            prev_hash: entries
                .last()
                .and_then(Entry::hash_array)
                .unwrap_or(ZERO_HASH),
            stream_seq: previous_in_stream.map_or(0, |e| e.stream_seq + 1),
            stream_prev_hash: previous_in_stream
                .and_then(Entry::hash_array)
                .unwrap_or(ZERO_HASH),
        };
        let event = NewEvent::from_value(stream, EventKind::parse(kind).expect("kind"), payload)
            .expect("object payload");
        let recorded_at = format!("2026-11-24T10:00:0{i}.12345{i}Z");
        entries.push(Entry::seal(position, &actor, &event, recorded_at).expect("seals"));
    }
    entries
}

/// Covers: GMP-LED-2
#[test]
fn entry_bytes_of_a_fixed_entry_are_pinned() {
    let first = &fixed_entries()[0];
    assert_eq!(
        String::from_utf8(first.entry_bytes.clone()).expect("UTF-8"),
        concat!(
            r#"{"actor":"system","kind":"user.created","payload_sha256":"PAYLOAD0","#,
            r#""prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""recorded_at":"2026-11-24T10:00:00.123450Z","seq":0,"#,
            r#""stream":"user/alice","#,
            r#""stream_prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""stream_seq":0,"v":1}"#
        )
        .replace("PAYLOAD0", &first.payload_sha256)
    );
    assert_eq!(
        String::from_utf8(first.payload_bytes.clone()).expect("UTF-8"),
        r#"{"full_name":"Alice Example","must_change_password":true,"roles":["operator"],"username":"alice"}"#
    );
}

/// Covers: GMP-LED-2
#[test]
fn hashes_of_fixed_entries_are_pinned() {
    let hashes: Vec<(String, String)> = fixed_entries()
        .iter()
        .map(|e| (e.payload_sha256.clone(), hex::encode(&e.hash)))
        .collect();
    // Cross-checked against an independent implementation (Python's hashlib and json) when
    // first pinned. If this fails, the entry format changed: that needs a new `v`.
    assert_eq!(
        hashes,
        [
            (
                "f1d88e8ad947fe48531e09a245b20a6893cc383ab2bce195e8a589349a7d569f",
                "ff48a0c1bc757f1ff8e794aeca4bf004d2b5f597402c64961af279af78068d8b",
            ),
            (
                "8e1a316182f994545e56202f7b1a80f4bffec3ef0f9b3aabf9121ac6a89a9026",
                "f92ccaba1b634e785a29f8ace7880e9fcc7e4d0d178d5517e35b5f3615770407",
            ),
            (
                "8ff006417d1baaaefa64841f183b8e5e41cc34ef41eeeca8f7fbc99bd95f2b08",
                "faa3eee37d8ac0e7bf1f8642992ef6e7e1b8254c001e841b3e103a131cc5ee83",
            ),
        ]
        .map(|(p, h)| (p.to_owned(), h.to_owned()))
    );
}
