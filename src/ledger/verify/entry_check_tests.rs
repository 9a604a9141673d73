use super::*;
use crate::ledger::{Actor, EventKind, NewEvent, Position, Stream, ZERO_HASH};

fn sealed(seq: i64, payload: serde_json::Value) -> Entry {
    let event = NewEvent::from_value(
        Stream::parse("batch/B-1").expect("stream"),
        EventKind::parse("test.checked").expect("kind"),
        payload,
    )
    .expect("event");
    let position = Position {
        seq,
        prev_hash: ZERO_HASH,
        stream_seq: 0,
        stream_prev_hash: ZERO_HASH,
    };
    Entry::seal(
        position,
        &Actor::system(),
        &event,
        "2026-11-25T10:00:00.000000Z".to_owned(),
    )
    .expect("sealed")
}

/// The checks as they were made before the fast path: every entry parsed and re-canonicalized.
fn slow(entry: &Entry) -> Result<Hash, String> {
    let hash = leaf_hash(&entry.entry_bytes);
    if entry.hash != hash {
        return Err("hash does not match SHA-256(0x00 || entry_bytes)".to_owned());
    }
    check_header(entry)?;
    check_payload(entry)?;
    Ok(hash)
}

/// Rewrites the stored bytes (and the hash, so that the hash check passes) from `header`.
fn with_bytes(mut entry: Entry, bytes: Vec<u8>) -> Entry {
    entry.hash = leaf_hash(&bytes).to_vec();
    entry.entry_bytes = bytes;
    entry
}

#[test]
fn a_sealed_entry_takes_the_fast_path_and_passes() {
    let entry = sealed(7, serde_json::json!({ "b": [1, 2.5, "é"], "a": null }));
    assert!(header_matches_columns(&entry));
    assert_eq!(check_entry(&entry), slow(&entry));
    assert!(check_entry(&entry).is_ok());
}

/// Covers: P11-10a-1
#[test]
fn every_tampering_gets_the_slow_path_s_verdict() {
    let good = sealed(3, serde_json::json!({ "x": 1 }));
    let header: serde_json::Value = serde_json::from_slice(&good.entry_bytes).expect("JSON");
    let mut cases = Vec::new();

    let mut column = good.clone();
    column.actor = "mallory".to_owned();
    cases.push(("a column changed", column));

    let mut version = header.clone();
    version["v"] = 2.into();
    let mut v2 = with_bytes(good.clone(), canonical_bytes(&version).expect("bytes"));
    v2.v = 2;
    cases.push(("version 2 in bytes and columns", v2));

    let pretty = serde_json::to_vec_pretty(&header).expect("pretty");
    cases.push(("pretty bytes", with_bytes(good.clone(), pretty)));

    let mut extra = header.clone();
    extra["extra"] = true.into();
    let extra = canonical_bytes(&extra).expect("bytes");
    cases.push(("an unknown field", with_bytes(good.clone(), extra)));

    // Beyond 2^53 the canonicalizer rounds: bytes saying 2^53 must not pass for 2^53 + 1.
    let mut big = header.clone();
    big["seq"] = (EXACT_INTEGER as i64).into();
    let mut rounded = with_bytes(good.clone(), canonical_bytes(&big).expect("bytes"));
    rounded.seq = EXACT_INTEGER as i64 + 1;
    cases.push(("a seq past 2^53", rounded));

    let mut payload = good.clone();
    payload.payload_bytes = br#"{ "x": 1 }"#.to_vec();
    payload.payload_sha256 = payload_sha256(&payload.payload_bytes);
    cases.push(("a payload with spaces", payload));

    let mut unsorted = good.clone();
    unsorted.payload_bytes = br#"{"y":1,"x":2}"#.to_vec();
    unsorted.payload_sha256 = payload_sha256(&unsorted.payload_bytes);
    cases.push(("a payload with keys out of order", unsorted));

    let mut array = good.clone();
    array.payload_bytes = b"[1]".to_vec();
    array.payload_sha256 = payload_sha256(&array.payload_bytes);
    cases.push(("a payload array", array));

    let mut longer = good.clone();
    longer.payload_bytes = br#"{"x":1}"#.to_vec();
    longer.payload_bytes.push(b' ');
    longer.payload_sha256 = payload_sha256(&longer.payload_bytes);
    cases.push(("a payload with a trailing space", longer));

    for (what, entry) in cases {
        let fast = check_entry(&entry);
        assert!(fast.is_err(), "{what} passed");
        assert_eq!(fast, slow(&entry), "{what}");
    }
}

#[test]
fn canonical_equals_tells_a_prefix_from_the_whole() {
    let value = serde_json::json!({ "a": 1 });
    assert_eq!(canonical_equals(&value, br#"{"a":1}"#), Ok(true));
    assert_eq!(canonical_equals(&value, br#"{"a":1"#), Ok(false));
    assert_eq!(canonical_equals(&value, br#"{"a":1}}"#), Ok(false));
    assert_eq!(canonical_equals(&value, br#"{"a":2}"#), Ok(false));
}

/// The fast paths write with serde_json: for the values they accept, that is RFC 8785.
/// Covers: GMP-LED-2
#[test]
fn serde_json_writes_what_the_canonicalizer_writes_for_what_the_fast_paths_accept() {
    let strings = [
        "plain",
        "quote \" backslash \\ slash /",
        "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
        "é ü ß 中文 \u{2028}\u{2029} \u{fffd} 😀",
    ];
    for (i, text) in strings.iter().enumerate() {
        let mut entry = sealed(
            1 << 53,
            serde_json::json!({ "a": text, "b": [i, -(1i64 << 53)] }),
        );
        entry.actor = (*text).to_owned();
        entry.kind = (*text).to_owned();
        entry.stream = (*text).to_owned();
        entry.recorded_at = (*text).to_owned();
        entry.entry_bytes = canonical_bytes(&entry.header()).expect("bytes");
        assert!(header_matches_columns(&entry), "{text:?}");
        let payload: serde_json::Value =
            serde_json::from_slice(&entry.payload_bytes).expect("JSON");
        assert!(serde_json_writes_canonically(&payload));
        assert_eq!(
            serde_json::to_vec(&payload).expect("JSON"),
            entry.payload_bytes,
            "{text:?}"
        );
    }
    // What they refuse goes to the canonicalizer: floats, big integers, keys past ASCII.
    for refused in [
        serde_json::json!({ "a": 1.5 }),
        serde_json::json!({ "a": (1u64 << 53) + 1 }),
        serde_json::json!({ "é": 1 }),
    ] {
        assert!(!serde_json_writes_canonically(&refused), "{refused}");
        let entry = sealed(1, refused);
        assert_eq!(check_entry(&entry), slow(&entry));
        assert!(check_entry(&entry).is_ok());
    }
}
