//! Projections: the tables that serve reads and authentication, written in the same
//! transaction as the events they reflect. They are never the truth: `rebuild` makes them
//! again from the ledger, and `check` proves they still equal what the ledger says.

pub mod batches;
pub mod materials;
pub mod templates;

use std::collections::BTreeSet;

use diesel::Connection;

use crate::db::DbConn;
use crate::domain::material::{EquipmentEvent, LotEvent};
use crate::domain::template::lifecycle::TemplateEvent;
use crate::error::ServiceError;
use crate::ledger::{self, Entry};

const PAGE: i64 = 2_000;

/// Applies one ledger entry to the rebuildable projection its stream feeds, if any.
fn apply_entry(conn: &mut DbConn, entry: &Entry) -> Result<(), ServiceError> {
    if let Some(lot_id) = entry.stream.strip_prefix("lot/") {
        materials::apply_lot(conn, lot_id, &ledger::decode::<LotEvent>(entry)?)?;
    } else if let Some(equipment_id) = entry.stream.strip_prefix("equipment/") {
        let event = ledger::decode::<EquipmentEvent>(entry)?;
        materials::apply_equipment(conn, equipment_id, &event)?;
    } else if let Some(code) = entry.stream.strip_prefix("template/") {
        templates::apply(conn, code, &ledger::decode::<TemplateEvent>(entry)?)?;
    }
    Ok(())
}

fn clear(conn: &mut DbConn) -> Result<(), ServiceError> {
    materials::clear(conn)?;
    templates::clear(conn)?;
    batches::clear(conn)?;
    Ok(())
}

fn snapshot(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let mut rows = materials::snapshot(conn)?;
    rows.extend(templates::snapshot(conn)?);
    rows.extend(batches::snapshot(conn)?);
    Ok(rows)
}

/// Empties the rebuildable projections and replays the whole ledger into them. Returns how
/// many entries were read. Run it inside a transaction (`rebuild_all` does).
fn replay(conn: &mut DbConn) -> Result<u64, ServiceError> {
    clear(conn)?;
    let (mut from, mut read) = (0, 0_u64);
    loop {
        let (entries, next) = ledger::page(conn, from, PAGE)?;
        for entry in &entries {
            apply_entry(conn, entry)?;
        }
        read += entries.len() as u64;
        match next {
            Some(next) => from = next,
            None => break,
        }
    }
    // Batches are recomputed whole from their streams (their templates are replayed by now).
    for stream in ledger::streams_with_prefix(conn, "batch/")? {
        if let Some(batch_number) = stream.strip_prefix("batch/") {
            batches::replay(conn, batch_number)?;
        }
    }
    Ok(read)
}

/// Applies pending migrations and returns their versions. When any ran on a ledger that
/// already holds entries, every projection is rebuilt in the same breath: a migration may add
/// or reshape a projection table that only a replay of the ledger can fill.
pub fn migrate(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let applied = crate::db::migrations::run_pending(conn)?;
    if !applied.is_empty() && ledger::page(conn, 0, 1)?.0.len() == 1 {
        let read = rebuild_all(conn)?;
        tracing::info!(entries = read, "projections rebuilt after migrating");
    }
    Ok(applied)
}

/// `cartrec rebuild-projections`: the projections made again from the ledger, in one
/// transaction (readers see the old tables or the new, never half).
pub fn rebuild_all(conn: &mut DbConn) -> Result<u64, ServiceError> {
    conn.transaction(replay)
}

/// Rows that differ between the projections as they are and as a fresh replay of the ledger
/// makes them, found in a transaction that is always rolled back.
fn replay_differences(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    enum Outcome {
        Done(Vec<String>),
        Failed(ServiceError),
    }
    impl From<diesel::result::Error> for Outcome {
        fn from(e: diesel::result::Error) -> Self {
            Outcome::Failed(e.into())
        }
    }
    impl From<ledger::LedgerError> for Outcome {
        fn from(e: ledger::LedgerError) -> Self {
            Outcome::Failed(e.into())
        }
    }
    // Under the ledger's append lock, taken by the transaction's first statement: the replay
    // writes the projection tables, and on SQLite a transaction that read first and writes
    // later fails at once ("database is locked", no busy wait) when another request committed
    // in between, which answered `GET /ledger/verify` with a 500 under concurrent writes. The
    // lock also keeps appends out between the two snapshots, so they compare one state.
    let result = ledger::under_lock::<(), Outcome, _>(conn, |conn| {
        let mut run = || -> Result<Vec<String>, ServiceError> {
            let live = snapshot(conn)?;
            replay(conn)?;
            let fresh = snapshot(conn)?;
            Ok(differences(&live, &fresh))
        };
        Err(run().map_or_else(Outcome::Failed, Outcome::Done))
    });
    match result {
        Err(Outcome::Done(found)) => Ok(found),
        Err(Outcome::Failed(e)) => Err(e),
        Ok(()) => Ok(Vec::new()),
    }
}

fn differences(live: &[String], fresh: &[String]) -> Vec<String> {
    let (live_set, fresh_set): (BTreeSet<&String>, BTreeSet<&String>) =
        (live.iter().collect(), fresh.iter().collect());
    let mut found: Vec<String> = live
        .iter()
        .filter(|row| !fresh_set.contains(row))
        .map(|row| format!("projection row not in a fresh fold of the ledger: {row}"))
        .collect();
    found.extend(
        fresh
            .iter()
            .filter(|row| !live_set.contains(row))
            .map(|row| format!("projection row missing (the ledger has it): {row}")),
    );
    found
}

/// Every disagreement between a projection and the ledger, one sentence each; empty when all
/// agree. Run after the ledger itself has verified: it trusts the ledger's bytes.
pub fn check(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let mut found = crate::services::accounts::audit::mismatches(conn)?;
    found.extend(crate::services::signatures::audit::mismatches(conn)?);
    found.extend(crate::services::attachments::mismatches(conn)?);
    found.extend(replay_differences(conn)?);
    Ok(found)
}
