//! Merkle proof time at 1M entries (goal: median ≤ 1 ms each), on SQLite in a temp directory.
//!
//!     cargo bench --bench proofs
//!
//! The ledger is built through the appender (which stores each entry's subtrees), 10,000
//! entries per transaction; then inclusion and consistency proofs at random positions are made
//! from the stored subtrees, each on its own, and every one is checked.

use std::time::{Duration, Instant};

use cartrec::db::{build_pool, migrations};
use cartrec::error::AppError;
use cartrec::ledger::merkle::{verify_consistency, verify_inclusion};
use cartrec::ledger::{self, Actor, EventKind, NewEvent, Stream};
use rand::Rng;
use serde_json::json;

const ENTRIES: u64 = 1_000_000;
const PER_TRANSACTION: u64 = 10_000;
const SAMPLES: usize = 2_001;
const GOAL: Duration = Duration::from_millis(1);

fn event(i: u64) -> NewEvent {
    NewEvent::from_value(
        Stream::parse(&format!("batch/BENCH-{}", i % 64)).expect("stream"),
        EventKind::parse("batch.step_recorded").expect("kind"),
        json!({ "step": "expansion", "i": i, "viable_cells": { "text": "1.25e8", "unit": "cells" } }),
    )
    .expect("event")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn report(what: &str, samples: Vec<Duration>) {
    let worst = samples.iter().max().copied().unwrap_or_default();
    let median = median(samples);
    let verdict = if median <= GOAL { "met" } else { "MISSED" };
    println!(
        "{what:<22} median {:>8.1} µs  (goal ≤ {} µs: {verdict}), slowest {:.1} µs",
        median.as_secs_f64() * 1e6,
        GOAL.as_micros(),
        worst.as_secs_f64() * 1e6
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("proofs.sqlite3");
    let pool = build_pool(&url.to_string_lossy(), 2).expect("pool");
    let mut conn = pool.get().expect("connection");
    migrations::run_pending(&mut conn).expect("migrations");

    let started = Instant::now();
    let mut appended = 0;
    while appended < ENTRIES {
        let batch = PER_TRANSACTION.min(ENTRIES - appended);
        ledger::write(&mut conn, |tx| {
            (appended..appended + batch)
                .try_for_each(|i| tx.append(&Actor::system(), event(i)).map(drop))
        })
        .map_err(AppError::from)
        .expect("bulk append");
        appended += batch;
    }
    let built = started.elapsed();
    println!(
        "built {ENTRIES} entries with their Merkle subtrees in {:.1} s ({:.0} appends/s, {PER_TRANSACTION} per transaction)",
        built.as_secs_f64(),
        ENTRIES as f64 / built.as_secs_f64()
    );

    let mut rng = rand::thread_rng();
    let n = ENTRIES;
    let mut inclusion = Vec::with_capacity(SAMPLES);
    let mut consistency = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let index = rng.gen_range(0..n);
        let started = Instant::now();
        let proof = ledger::inclusion_proof(&mut conn, index, n).expect("inclusion proof");
        inclusion.push(started.elapsed());
        verify_inclusion(&proof.leaf, index, n, &proof.proof, &proof.root).expect("verifies");

        let from = rng.gen_range(1..=n);
        let started = Instant::now();
        let proof = ledger::consistency_proof(&mut conn, from, n).expect("consistency proof");
        consistency.push(started.elapsed());
        verify_consistency(from, n, &proof.proof, &proof.from_root, &proof.to_root)
            .expect("verifies");
    }
    println!("at {n} entries, {SAMPLES} proofs each, SQLite:");
    report("inclusion proof", inclusion);
    report("consistency proof", consistency);
    sign_checkpoints(&mut conn, dir.path(), n);
}

/// Checkpoint signing as the server does it (append lock, consistency proof from the last one,
/// Ed25519 signature, insert, durable copy in the checkpoint directory), one new entry apart.
fn sign_checkpoints(conn: &mut cartrec::db::DbConn, dir: &std::path::Path, from: u64) {
    const CHECKPOINTS: u64 = 201;
    let signer =
        cartrec::keys::load_or_create_checkpoint_key(&dir.join("checkpoint.key"), "bench/log")
            .expect("key");
    let outside = dir.join("checkpoints");
    let signing = ledger::checkpoints::Signing {
        signer: &signer,
        origin: "bench/log",
        dir: Some(&outside),
    };
    let mut samples = Vec::new();
    for i in 0..CHECKPOINTS {
        ledger::write(conn, |tx| {
            tx.append(&Actor::system(), event(from + i)).map(drop)
        })
        .map_err(AppError::from)
        .expect("append");
        let started = Instant::now();
        let signed = ledger::checkpoints::sign(conn, &signing).expect("signed");
        samples.push(started.elapsed());
        assert_eq!(signed.size, from + i + 1);
    }
    let worst = samples.iter().max().copied().unwrap_or_default();
    println!(
        "{:<22} median {:>8.1} µs over {CHECKPOINTS} checkpoints (the issue sets no goal), slowest {:.1} µs",
        "checkpoint signing",
        median(samples).as_secs_f64() * 1e6,
        worst.as_secs_f64() * 1e6
    );
}
