//! Bundles built in memory from sealed entries, checked, then broken one way at a time: each
//! break is named for what it is.

use ed25519_dalek::SigningKey;
use serde_json::json;
use tlog_tiles::Checkpoint as TreeHead;

use super::*;
use crate::keys::NoteSigner;
use crate::ledger::merkle::{inclusion_path, node_hash};
use crate::ledger::{Actor, EventKind, NewEvent, Position, Stream};

const ORIGIN: &str = "cartrec.test/ledger";

fn signer(seed: u8, name: &str) -> NoteSigner {
    NoteSigner {
        name: name.to_owned(),
        key: SigningKey::from_bytes(&[seed; 32]),
    }
}

/// A ledger of `n` entries over three streams (the batch's, its COI's, and another batch's),
/// sealed with correct links.
fn ledger(n: usize) -> Vec<Entry> {
    let streams = ["batch/B-1", "coi/X", "batch/B-2"];
    let mut entries: Vec<Entry> = Vec::new();
    for i in 0..n {
        let stream = streams[i % 3];
        let in_stream: Vec<&Entry> = entries.iter().filter(|e| e.stream == stream).collect();
        let position = Position {
            seq: i as i64,
            prev_hash: entries
                .last()
                .and_then(Entry::hash_array)
                .unwrap_or(ZERO_HASH),
            stream_seq: in_stream.len() as i64,
            stream_prev_hash: in_stream
                .last()
                .and_then(|e| e.hash_array())
                .unwrap_or(ZERO_HASH),
        };
        let event = NewEvent::from_value(
            Stream::parse(stream).expect("stream"),
            EventKind::parse("batch.step_recorded").expect("kind"),
            json!({ "step": i, "name": "Müller" }),
        )
        .expect("event");
        let recorded_at = format!("2026-11-25T10:00:{:02}.000000Z", i % 60);
        entries.push(Entry::seal(position, &Actor::system(), &event, recorded_at).expect("seal"));
    }
    entries
}

/// RFC 6962 MTH of leaf hashes, from scratch.
fn mth(leaves: &[Hash]) -> Hash {
    if leaves.len() == 1 {
        return leaves[0];
    }
    let split = leaves.len().next_power_of_two() / 2;
    node_hash(&mth(&leaves[..split]), &mth(&leaves[split..]))
}

fn build(entries: &[Entry], key: &NoteSigner) -> Bundle {
    let leaves: Vec<Hash> = entries.iter().filter_map(Entry::hash_array).collect();
    let size = leaves.len() as u64;
    let root = mth(&leaves);
    let head = TreeHead::new(ORIGIN, size, tlog_tiles::Hash(root), "").expect("head");
    let mut note = Note::new(&head.to_bytes(), &[]).expect("note");
    note.add_sigs(&[key as &dyn signed_note::Signer])
        .expect("sign");
    let checkpoint = String::from_utf8(note.to_bytes()).expect("utf8");
    let (mut streams, mut heads) = (Vec::new(), Vec::new());
    for (role, name) in [("batch", "batch/B-1"), ("chain_of_identity", "coi/X")] {
        let with_proofs: Vec<(Entry, Vec<Hash>)> = entries
            .iter()
            .filter(|e| e.stream == name)
            .map(|e| {
                let path = inclusion_path(e.seq as u64, size).expect("path");
                let proof = path
                    .into_iter()
                    .map(|r| mth(&leaves[r.start as usize..r.end as usize]))
                    .collect();
                (e.clone(), proof)
            })
            .collect();
        let (stream, head) = bundle_stream(role, name, &with_proofs).expect("stream");
        streams.push(stream);
        heads.push(head);
    }
    let text = statement_text("B-1", size, &root, &heads);
    Bundle {
        format: FORMAT.to_owned(),
        about: ABOUT.to_owned(),
        batch_number: "B-1".to_owned(),
        checkpoint,
        vkey: key.vkey(),
        statement: sign_statement(&text, key).expect("statement"),
        streams,
    }
}

fn checked(bundle: &Bundle, vkey: &str) -> Result<Checked, BundleError> {
    check(&serde_json::to_vec(bundle).expect("json"), vkey)
}

fn failure(bundle: &Bundle) -> String {
    let key = signer(1, "cartrec.test");
    checked(bundle, &key.vkey())
        .expect_err("must fail")
        .to_string()
}

fn good() -> Bundle {
    build(&ledger(40), &signer(1, "cartrec.test"))
}

/// Covers: A11-17
#[test]
fn a_whole_bundle_checks_out_with_every_stream_complete() {
    let key = signer(1, "cartrec.test");
    let report = checked(&good(), &key.vkey()).expect("ok");
    assert_eq!(report.size, 40);
    assert_eq!(report.streams.len(), 2);
    assert_eq!(report.streams[0].entries, 14);
    assert!(report.to_string().starts_with("ok: batch B-1: 27 entries"));
}

/// Covers: A11-17
#[test]
fn a_tampered_byte_in_an_entry_is_named() {
    let mut bundle = good();
    let entry = &mut bundle.streams[0].entries[3];
    entry.entry = entry
        .entry
        .replace("\"actor\":\"system\"", "\"actor\":\"systen\"");
    let message = failure(&bundle);
    assert!(message.contains("entry seq 9 (batch/B-1)"), "{message}");
    assert!(message.contains("the entry was altered"), "{message}");
}

/// Covers: A11-17
#[test]
fn a_tampered_payload_is_named() {
    let mut bundle = good();
    let entry = &mut bundle.streams[1].entries[2];
    entry.payload = entry.payload.replace("Müller", "Muller");
    let message = failure(&bundle);
    assert!(message.contains("entry seq 7 (coi/X)"), "{message}");
    assert!(message.contains("the payload was altered"), "{message}");
}

/// Covers: A11-17
#[test]
fn a_dropped_entry_breaks_the_stream_chain() {
    let mut bundle = good();
    bundle.streams[0].entries.remove(5);
    let message = failure(&bundle);
    assert!(message.contains("entry seq 18 (batch/B-1)"), "{message}");
    assert!(
        message.contains("entry 5 of the stream was dropped"),
        "{message}"
    );
}

/// Covers: A11-17
#[test]
fn a_dropped_last_entry_is_caught_by_the_signed_statement() {
    let mut bundle = good();
    bundle.streams[0].entries.pop();
    let message = failure(&bundle);
    assert!(message.contains("stream batch/B-1"), "{message}");
    assert!(message.contains("lists 14 entries"), "{message}");
    assert!(message.contains("dropped from its end"), "{message}");
}

/// Covers: A11-17
#[test]
fn a_swapped_proof_is_named() {
    let mut bundle = good();
    let entries = &mut bundle.streams[0].entries;
    let proof = entries[1].inclusion_proof.clone();
    entries[1].inclusion_proof = entries[2].inclusion_proof.clone();
    entries[2].inclusion_proof = proof;
    let message = failure(&bundle);
    assert!(message.contains("entry seq 3 (batch/B-1)"), "{message}");
    assert!(message.contains("the proof was swapped"), "{message}");
}

/// Covers: A11-17
#[test]
fn another_key_is_named_with_both_keys() {
    let other = signer(2, "elsewhere.test");
    let bundle = build(&ledger(40), &other);
    let trusted = signer(1, "cartrec.test");
    let message = checked(&bundle, &trusted.vkey())
        .expect_err("another key")
        .to_string();
    assert!(
        message.contains("the checkpoint is signed by elsewhere.test+"),
        "{message}"
    );
    assert!(
        message.contains("not by the trusted key cartrec.test+"),
        "{message}"
    );
    assert!(message.contains("another key"), "{message}");
}

/// Covers: A11-17
#[test]
fn a_removed_stream_or_an_altered_statement_is_caught() {
    let mut bundle = good();
    bundle.streams.pop();
    assert!(failure(&bundle).contains("stream coi/X: the signed statement lists it"));

    let mut bundle = good();
    bundle.statement = bundle
        .statement
        .replacen("stream batch B-1", "stream batch B-9", 1);
    bundle.statement = bundle.statement.replacen(" 14 ", " 13 ", 1);
    let message = failure(&bundle);
    assert!(message.contains("the statement was altered"), "{message}");
}

/// Covers: A11-17
#[test]
fn a_checkpoint_of_another_tree_fails_every_proof() {
    let key = signer(1, "cartrec.test");
    let mut bundle = good();
    bundle.checkpoint = build(&ledger(41), &key).checkpoint;
    let message = failure(&bundle);
    assert!(message.contains("made for another checkpoint"), "{message}");
}
