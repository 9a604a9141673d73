//! Ledger throughput on each backend: appends/s with 1 and 8 writers each in its own
//! transaction (as a command-line tool writes), with 16 writers through the service's group
//! commit, and full verification in entries/s over 100k entries.
//!
//!     cargo bench --bench ledger
//!
//! PostgreSQL is measured when `CARTREC_BENCH_POSTGRES` (an admin URL) is set or a server
//! answers on 127.0.0.1:5432; a scratch database is created and dropped.

mod common;

use std::time::{Duration, Instant};

use cartrec::db::{build_pool, migrations, Pool};
use cartrec::error::AppError;
use cartrec::ledger::{self, group, Actor, EventKind, GroupCommit, NewEvent, Stream};
use serde_json::json;

const SINGLE_WRITER_APPENDS: usize = 2_000;
const WRITERS: usize = 8;
const APPENDS_PER_WRITER: usize = 500;
const GROUPED_WRITERS: usize = 16;
const GROUPED_APPENDS_PER_WRITER: usize = 500;
const VERIFY_ENTRIES: usize = 100_000;
const BULK_BATCH: usize = 1_000;

fn event(writer: usize, i: usize) -> NewEvent {
    NewEvent::from_value(
        Stream::parse(&format!("batch/BENCH-{writer}")).expect("stream"),
        EventKind::parse("batch.step_recorded").expect("kind"),
        json!({ "step": "expansion", "day": i % 12, "viable_cells": { "text": "1.25e8", "unit": "cells" },
                "viability": { "text": "92.5", "unit": "%" }, "operator_note": "feeding done" }),
    )
    .expect("event")
}

/// `count` appends by one writer, each in its own transaction.
fn append_each(pool: &Pool, writer: usize, count: usize) {
    let mut conn = pool.get().expect("connection");
    for i in 0..count {
        ledger::write(&mut conn, |tx| {
            tx.append(&Actor::system(), event(writer, i))
                .map_err(AppError::from)
        })
        .expect("append");
    }
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn bench_backend(name: &str, url: &str) {
    let pool = build_pool(url, (GROUPED_WRITERS + 1) as u32).expect("pool");
    migrations::run_pending(&mut pool.get().expect("connection")).expect("migrations");

    let started = Instant::now();
    append_each(&pool, 0, SINGLE_WRITER_APPENDS);
    let single = rate(SINGLE_WRITER_APPENDS, started.elapsed());

    let started = Instant::now();
    let writers: Vec<_> = (1..=WRITERS)
        .map(|w| {
            let pool = pool.clone();
            std::thread::spawn(move || append_each(&pool, w, APPENDS_PER_WRITER))
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().expect("writer"));
    let parallel = rate(WRITERS * APPENDS_PER_WRITER, started.elapsed());

    let committer = GroupCommit::new(url, group::DEFAULT_MAX_MEMBERS);
    let grouped = grouped_appends(&pool, &committer, None, 200);
    let stats = committer.stats();

    // What signing each group's tree head costs: the same grouped appends with the ledger
    // key, twice each way, alternating (each signed run starts from a head over the ledger
    // so far, as the service's start adopts one).
    let key_dir = tempfile::tempdir().expect("key dir");
    let signer = cartrec::keys::load_or_create_checkpoint_key(
        &key_dir.path().join("checkpoint.key"),
        "bench.cartrec.local/ledger",
    )
    .expect("key");
    let sealer = ledger::Sealer::new(
        std::sync::Arc::new(signer),
        "bench.cartrec.local/ledger",
        None,
        None,
    );
    let mut signed_runs = Vec::new();
    let mut unsigned_runs = vec![grouped];
    for round in 0..2 {
        let mut conn = pool.get().expect("connection");
        ledger::audit::adopt(&mut conn, &sealer).expect("head over the ledger so far");
        signed_runs.push(grouped_appends(
            &pool,
            &committer,
            Some(&sealer),
            300 + round * 20,
        ));
        if round == 0 {
            unsigned_runs.push(grouped_appends(&pool, &committer, None, 400));
        }
    }
    let mean = |runs: &[f64]| runs.iter().sum::<f64>() / runs.len() as f64;
    let (unsigned, signed) = (mean(&unsigned_runs), mean(&signed_runs));

    // Fill up to 100k entries in large transactions (setup only, not measured).
    let mut conn = pool.get().expect("connection");
    let mut existing = SINGLE_WRITER_APPENDS
        + WRITERS * APPENDS_PER_WRITER
        + 5 * GROUPED_WRITERS * GROUPED_APPENDS_PER_WRITER;
    while existing < VERIFY_ENTRIES {
        let batch = BULK_BATCH.min(VERIFY_ENTRIES - existing);
        ledger::write(&mut conn, |tx| {
            (0..batch).try_for_each(|i| {
                tx.append(&Actor::system(), event(100 + i % 50, i))
                    .map(drop)
            })
        })
        .map_err(AppError::from)
        .expect("bulk append");
        existing += batch;
    }

    let started = Instant::now();
    let report = ledger::verify(&mut conn).expect("verify");
    let verify_elapsed = started.elapsed();
    assert!(report.is_ok(), "{report}");

    println!(
        "{name:<10} appends/s 1 writer: {single:>8.0}   appends/s {WRITERS} writers: {parallel:>8.0}   \
         appends/s {GROUPED_WRITERS} writers, group commit: {grouped:>8.0} ({:.1} per commit)   \
         verify: {:>9.0} entries/s ({} entries in {:.2} s)",
        stats.writes as f64 / stats.groups.max(1) as f64,
        rate(report.entries as usize, verify_elapsed),
        report.entries,
        verify_elapsed.as_secs_f64()
    );
    println!(
        "{name:<10} signed tree heads: grouped appends/s unsigned {} (mean {unsigned:.0}), \
         signed {} (mean {signed:.0}): the signature costs {:.1}% of the bare append rate \
         (limit: 5% of the write rate, issue 31)",
        runs(&unsigned_runs),
        runs(&signed_runs),
        100.0 * (unsigned - signed) / unsigned
    );
}

fn runs(rates: &[f64]) -> String {
    rates
        .iter()
        .map(|r| format!("{r:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 16 writers through group commit, each appending in its own command; with `sealer`, every
/// group signs its tree head as the service's do.
fn grouped_appends(
    pool: &Pool,
    committer: &std::sync::Arc<GroupCommit>,
    sealer: Option<&std::sync::Arc<ledger::Sealer>>,
    first_writer: usize,
) -> f64 {
    let started = Instant::now();
    let writers: Vec<_> = (0..GROUPED_WRITERS)
        .map(|w| {
            let (pool, committer) = (pool.clone(), committer.clone());
            let sealer = sealer.cloned();
            std::thread::spawn(move || {
                ledger::heads::within(sealer.as_ref(), || {
                    group::within(Some(&committer), || {
                        append_each(&pool, first_writer + w, GROUPED_APPENDS_PER_WRITER)
                    })
                })
            })
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().expect("writer"));
    rate(
        GROUPED_WRITERS * GROUPED_APPENDS_PER_WRITER,
        started.elapsed(),
    )
}

fn main() {
    common::on_each_backend("cartrec_bench", bench_backend);
}
