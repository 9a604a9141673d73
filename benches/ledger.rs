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
    let started = Instant::now();
    let writers: Vec<_> = (0..GROUPED_WRITERS)
        .map(|w| {
            let (pool, committer) = (pool.clone(), committer.clone());
            std::thread::spawn(move || {
                group::within(Some(&committer), || {
                    append_each(&pool, 200 + w, GROUPED_APPENDS_PER_WRITER)
                })
            })
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().expect("writer"));
    let grouped = rate(
        GROUPED_WRITERS * GROUPED_APPENDS_PER_WRITER,
        started.elapsed(),
    );
    let stats = committer.stats();

    // Fill up to 100k entries in large transactions (setup only, not measured).
    let mut conn = pool.get().expect("connection");
    let mut existing = SINGLE_WRITER_APPENDS
        + WRITERS * APPENDS_PER_WRITER
        + GROUPED_WRITERS * GROUPED_APPENDS_PER_WRITER;
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
}

fn main() {
    common::on_each_backend("cartrec_bench", bench_backend);
}
