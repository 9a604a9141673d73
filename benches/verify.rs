//! Full verification against the speed of SHA-256 itself (goal: at least half the hashing rate
//! of all cores over entries of the same size).
//!
//!     cargo bench --bench verify
//!     CARTREC_BENCH_ENTRIES=100000 cargo bench --bench verify     # a quick run
//!     CARTREC_BENCH_VERIFY_RUNS=3 cargo bench --bench verify      # the fastest of 3 runs
//!
//! Builds a ledger of 1,000,000 entries (or `CARTREC_BENCH_ENTRIES`) through the appender,
//! 10,000 per transaction, with payloads of realistic and varied size; times `ledger::verify`;
//! then runs `openssl speed -seconds 3 -bytes <mean entry_bytes length> sha256` for the rate
//! the hash alone reaches. SQLite in a temp directory; PostgreSQL too when
//! `CARTREC_BENCH_POSTGRES` (an admin URL) is set or a server answers on 127.0.0.1:5432 (a
//! scratch database is created and dropped).

mod common;

use std::time::{Duration, Instant};

use cartrec::db::{build_pool, migrations};
use cartrec::error::AppError;
use cartrec::ledger::{self, Actor, EventKind, NewEvent, Stream};
use serde_json::json;

const DEFAULT_ENTRIES: u64 = 1_000_000;
const PER_TRANSACTION: u64 = 10_000;
const GOAL: f64 = 0.5;

/// Batch-record events of the sizes the service writes: a step with its measured values, an
/// operator's note of varying length, now and then a longer comment.
fn event(i: u64) -> NewEvent {
    let note = "viable cell count within range, feeding done. ".repeat((i % 5) as usize);
    let comment = if i.is_multiple_of(17) {
        "deviation DEV-0042 opened: incubator door alarm for 90 s, temperature stayed within \
         36.5-37.5 °C, QA informed; no impact on the product expected."
    } else {
        ""
    };
    NewEvent::from_value(
        Stream::parse(&format!("batch/BENCH-{:05}", i % 500)).expect("stream"),
        EventKind::parse("batch.step_recorded").expect("kind"),
        json!({
            "step": "expansion", "day": i % 12, "instance": i,
            "viable_cells": { "text": "1.25e8", "unit": "cells" },
            "viability": { "text": "92.5", "unit": "%" },
            "equipment": format!("INC-{:03}", i % 40), "lot": format!("L-2026-{:05}", i % 900),
            "operator_note": note, "comment": comment,
        }),
    )
    .expect("event")
}

/// How many times to verify the same ledger (`CARTREC_BENCH_VERIFY_RUNS`, default 1); the
/// fastest run is reported, as the machine may be busy with other work during any one of them.
fn verify_runs() -> u32 {
    std::env::var("CARTREC_BENCH_VERIFY_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn entries_wanted() -> u64 {
    std::env::var("CARTREC_BENCH_ENTRIES")
        .ok()
        .and_then(|n| n.replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_ENTRIES)
}

/// What the built ledger holds: entries and their stored bytes.
struct Built {
    entries: u64,
    entry_bytes: u64,
    payload_bytes: u64,
}

fn build(conn: &mut cartrec::db::DbConn, entries: u64) -> Built {
    let mut built = Built {
        entries: 0,
        entry_bytes: 0,
        payload_bytes: 0,
    };
    while built.entries < entries {
        let batch = PER_TRANSACTION.min(entries - built.entries);
        let from = built.entries;
        let sizes = ledger::write(conn, |tx| {
            (from..from + batch)
                .map(|i| {
                    tx.append(&Actor::system(), event(i))
                        .map(|e| (e.entry_bytes.len() as u64, e.payload_bytes.len() as u64))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(AppError::from)
        .expect("bulk append");
        for (entry, payload) in sizes {
            built.entry_bytes += entry;
            built.payload_bytes += payload;
        }
        built.entries += batch;
    }
    built
}

fn bench_backend(name: &str, url: &str) {
    let pool = build_pool(url, 2).expect("pool");
    let mut conn = pool.get().expect("connection");
    migrations::run_pending(&mut conn).expect("migrations");

    let started = Instant::now();
    let built = build(&mut conn, entries_wanted());
    let build_time = started.elapsed();
    let mean_entry = built.entry_bytes as f64 / built.entries as f64;
    println!(
        "{name}: built {} entries in {:.1} s ({:.0} appends/s); mean entry_bytes {:.0} B, mean \
         payload_bytes {:.0} B",
        built.entries,
        build_time.as_secs_f64(),
        built.entries as f64 / build_time.as_secs_f64(),
        mean_entry,
        built.payload_bytes as f64 / built.entries as f64,
    );

    let mut elapsed = Duration::MAX;
    for _ in 0..verify_runs() {
        let started = Instant::now();
        let report = ledger::verify(&mut conn).expect("verify");
        let this_run = started.elapsed();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.entries, built.entries);
        println!(
            "{name}: one verification: {:.0} entries/s",
            per_second(built.entries, this_run)
        );
        elapsed = elapsed.min(this_run);
    }
    let rate = per_second(built.entries, elapsed);
    let hashed = (built.entry_bytes + built.payload_bytes) as f64;
    println!(
        "{name}: verify {:.0} entries/s, {:.1} MB/s of entry_bytes + payload_bytes ({} entries \
         in {:.2} s)",
        rate,
        hashed / elapsed.as_secs_f64() / 1e6,
        built.entries,
        elapsed.as_secs_f64()
    );
    // The hash alone, right after, over buffers of the mean entry_bytes length.
    match openssl_sha256(mean_entry.round() as usize) {
        Ok(sha256) => compare_with_sha256(name, rate, sha256, mean_entry),
        Err(e) => println!("{name}: SHA-256 comparison skipped: {e}"),
    }
}

fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// SHA-256 bytes/s on one core, from `openssl speed` over buffers of `size` bytes.
fn openssl_sha256(size: usize) -> Result<f64, String> {
    let output = std::process::Command::new("openssl")
        .args([
            "speed",
            "-seconds",
            "3",
            "-bytes",
            &size.to_string(),
            "sha256",
        ])
        .output()
        .map_err(|e| format!("openssl did not run: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The result line: `sha256   1183769.70k` (1000s of bytes per second).
    let line = stdout
        .lines()
        .find(|line| line.starts_with("sha256"))
        .ok_or_else(|| format!("no sha256 line in openssl's output: {stdout}"))?;
    let thousands = line
        .split_whitespace()
        .last()
        .and_then(|n| n.strip_suffix('k'))
        .and_then(|n| n.parse::<f64>().ok())
        .ok_or_else(|| format!("unreadable openssl result: {line}"))?;
    Ok(thousands * 1000.0)
}

fn compare_with_sha256(name: &str, verify_rate: f64, bytes_per_second: f64, mean_entry: f64) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let one_core = bytes_per_second / mean_entry;
    let all_cores = one_core * cores as f64;
    let ratio = verify_rate / all_cores;
    let verdict = if ratio >= GOAL { "met" } else { "MISSED" };
    println!(
        "{name}: SHA-256 of {mean_entry:.0}-byte entries (openssl speed): {one_core:.0}/s on 1 \
         core, {all_cores:.0}/s on {cores} cores; verify/sha256 = {:.1}% of 1 core, {:.1}% of \
         {cores} cores (goal ≥ {:.0}% of {cores} cores: {verdict})",
        100.0 * verify_rate / one_core,
        100.0 * ratio,
        100.0 * GOAL,
    );
}

fn main() {
    common::on_each_backend("cartrec_bench_verify", bench_backend);
}
