use super::*;
use crate::ledger::canonical_bytes;

/// What the slow path proves of payload bytes: they parse as an object whose canonical bytes
/// are the bytes themselves.
fn slow_says_canonical_object(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value.is_object() && canonical_bytes(&value).ok().as_deref() == Some(bytes),
        Err(_) => false,
    }
}

fn canonical_samples() -> Vec<Vec<u8>> {
    let values = [
        serde_json::json!({}),
        serde_json::json!({ "a": [] , "b": {} }),
        serde_json::json!({ "a": 0, "b": -1, "c": 9_007_199_254_740_992i64, "d": -9_007_199_254_740_992i64 }),
        serde_json::json!({ "quote": "\" \\ / \u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}" }),
        serde_json::json!({ "text": "é ü ß 中文 \u{2028}\u{2029} \u{fffd} 😀", "n": null, "t": true, "f": false }),
        serde_json::json!({ "step": "expansion", "viable_cells": { "text": "1.25e8", "unit": "cells" }, "list": [1, [2, [3, {"x": "y"}]]] }),
        serde_json::json!({ "A": 1, "Z": 2, "_": 3, "a": 4, "~": 5, " ": 6, "!": 7 }),
    ];
    values
        .iter()
        .map(|value| canonical_bytes(value).expect("canonical"))
        .collect()
}

#[test]
fn canonical_objects_are_recognized() {
    for bytes in canonical_samples() {
        assert!(
            is_canonical_object(&bytes),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn what_the_scanner_accepts_the_slow_path_accepts() {
    let mut cases: Vec<Vec<u8>> = [
        r#"[]"#,
        r#""x""#,
        r#"1"#,
        r#"{"a":1} "#,
        r#" {"a":1}"#,
        r#"{"a" :1}"#,
        r#"{"b":1,"a":2}"#,
        r#"{"a":1,"a":1}"#,
        r#"{"a":-0}"#,
        r#"{"a":01}"#,
        r#"{"a":1.0}"#,
        r#"{"a":1e3}"#,
        r#"{"a":9007199254740993}"#,
        r#"{"a":-9007199254740993}"#,
        r#"{"a":+1}"#,
        r#"{"a":"\/"}"#,
        r#"{"a":"\u0041"}"#,
        r#"{"a":"\u000A"}"#,
        r#"{"a":"\u000a"}"#,
        r#"{"a":"\u0008"}"#,
        r#"{"a":"\u001F"}"#,
        r#"{"a":"\u001f"}"#,
        r#"{"a":"\u000b"}"#,
        r#"{"a":"\u007f"}"#,
        r#"{"a":"\ud83d\ude00"}"#,
        r#"{"\u0061":1}"#,
        r#"{"é":1}"#,
        r#"{"a":tru}"#,
        r#"{"a":nul}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":[,1]}"#,
        r#"{"a":1,}"#,
        r#"{,}"#,
        r#"{"a"}"#,
        r#"{"a":"x"#,
        r#"{"a":"x\"#,
        r#"{"a":1}}"#,
        r#"{"a":[1]]}"#,
        r#"{"a":-}"#,
    ]
    .iter()
    .map(|case| case.as_bytes().to_vec())
    .collect();
    cases.push(b"{\"a\":\"\x01\"}".to_vec());
    cases.push(b"{\"a\":\"\xff\"}".to_vec());
    cases.push(b"{\"a\":\"\xc3\"}".to_vec());
    cases.push(format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200)).into_bytes());
    // Every sample with each single byte removed, doubled or changed.
    for bytes in canonical_samples() {
        for at in 0..bytes.len() {
            let mut removed = bytes.clone();
            removed.remove(at);
            let mut doubled = bytes.clone();
            doubled.insert(at, bytes[at]);
            let mut spaced = bytes.clone();
            spaced.insert(at, b' ');
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            cases.extend([removed, doubled, spaced, flipped]);
        }
    }
    for case in cases {
        if is_canonical_object(&case) {
            assert!(
                slow_says_canonical_object(&case),
                "{}",
                String::from_utf8_lossy(&case)
            );
        }
    }
}

#[test]
fn deep_nesting_is_left_to_the_slow_path() {
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(150), "]".repeat(150));
    assert!(!is_canonical_object(deep.as_bytes()));
    let shallow = format!("{{\"a\":{}1{}}}", "[".repeat(50), "]".repeat(50));
    assert!(is_canonical_object(shallow.as_bytes()));
    assert!(slow_says_canonical_object(shallow.as_bytes()));
}

#[test]
fn expect_writes_what_the_canonicalizer_writes() {
    let strings = [
        "plain",
        "quote \" backslash \\ slash /",
        "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f} \u{7f}",
        "é ü ß 中文 \u{2028}\u{2029} \u{fffd} 😀",
    ];
    let numbers = [0i64, 1, -1, 42, -(1 << 53), 1 << 53];
    let hash = [0xabu8; 32];
    for text in strings {
        for n in numbers {
            let canonical = canonical_bytes(&serde_json::json!({
                "h": hex::encode(hash), "n": n, "s": text,
            }))
            .expect("canonical");
            let mut expect = Expect::new(&canonical);
            expect
                .raw(b"{\"h\":")
                .hex(&hash)
                .raw(b",\"n\":")
                .integer(n)
                .raw(b",\"s\":")
                .string(text)
                .raw(b"}");
            assert!(expect.is_exact(), "{text:?} {n}");
        }
    }
    let mut past = Expect::new(b"9007199254740993");
    assert!(!past.integer((1 << 53) + 1).is_exact());
    let mut short = Expect::new(b"\"ab\"");
    assert!(!short.string("abc").is_exact());
    let mut long = Expect::new(b"\"abc\"x");
    assert!(!long.string("abc").is_exact());
}

#[test]
fn hex_of_a_digest_is_lowercase_and_whole() {
    let digest = [0x0fu8; 32];
    assert!(is_hex_of(&hex::encode(digest), &digest));
    assert!(!is_hex_of(&hex::encode_upper(digest), &digest));
    assert!(!is_hex_of(&hex::encode(&digest[..31]), &digest));
}
