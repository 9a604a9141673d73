//! The `batches` list, the `pending_verifications` a second person can pick up, and the
//! `lot_usage` a recall traces: the rows a fold of a batch's stream (with its pinned template)
//! says it has. A write computes them from the fold it decided on and writes what changed;
//! a replay writes them from a fresh fold, so they can never drift from one.

use diesel::prelude::*;

use crate::db::schema::{batches, lot_usage, pending_verifications};
use crate::db::DbConn;
use crate::domain::batch::custody::BEDSIDE_CHECK;
use crate::domain::batch::{Batch, BatchEvent};
use crate::domain::template::Template;
use crate::domain::Role;
use crate::error::ServiceError;
use crate::ledger::{self, Stream};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = batches)]
pub struct BatchRow {
    pub batch_number: String,
    pub coi: String,
    pub template_code: String,
    pub template_version: i32,
    pub patient_code: String,
    pub treating_site: String,
    pub state: String,
    pub open_deviations: i32,
    pub position: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = pending_verifications)]
pub struct PendingRow {
    pub batch_number: String,
    pub step_id: String,
    pub record: i32,
    pub role: String,
    pub performed_by: String,
}

/// One field of a batch that names a material lot: in a step record, or in a correction of
/// one (`seq` is the entry that names the lot, the record's or the correction's).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = lot_usage)]
pub struct LotUsageRow {
    pub lot_id: String,
    pub batch_number: String,
    pub step_id: String,
    pub record: i32,
    pub field_id: String,
    pub seq: i64,
}

/// The rows one batch has in the projections: what a fold of its stream says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projected {
    batch: Option<BatchRow>,
    pending: Vec<PendingRow>,
    lot_uses: Vec<LotUsageRow>,
}

impl Projected {
    /// The rows of a batch folded from `position` events.
    pub fn of(batch: &Batch, template: &Template, position: i64) -> Projected {
        Projected {
            batch: Some(row(batch, template, position)),
            pending: pending(batch, template),
            lot_uses: lot_uses(batch),
        }
    }
}

/// Writes what changed between the rows a batch had and the rows it has now: the batch's row,
/// the verifications that stopped or started waiting, the lot uses added. A write to a long
/// batch touches as many rows as a write to a short one.
pub fn write_changes(conn: &mut DbConn, was: &Projected, now: &Projected) -> QueryResult<()> {
    match (&was.batch, &now.batch) {
        (Some(old), Some(new)) if old != new => {
            diesel::update(batches::table.find(&new.batch_number))
                .set(new)
                .execute(conn)?;
        }
        (None, Some(new)) => {
            diesel::insert_into(batches::table)
                .values(new)
                .execute(conn)?;
        }
        _ => {}
    }
    for gone in was.pending.iter().filter(|r| !now.pending.contains(r)) {
        diesel::delete(
            pending_verifications::table
                .filter(pending_verifications::batch_number.eq(&gone.batch_number))
                .filter(pending_verifications::step_id.eq(&gone.step_id))
                .filter(pending_verifications::record.eq(gone.record)),
        )
        .execute(conn)?;
    }
    // One by one: a multi-row insert does not compile for the two backends at once.
    for added in now.pending.iter().filter(|r| !was.pending.contains(r)) {
        diesel::insert_into(pending_verifications::table)
            .values(added)
            .execute(conn)?;
    }
    for gone in was.lot_uses.iter().filter(|r| !now.lot_uses.contains(r)) {
        diesel::delete(
            lot_usage::table
                .filter(lot_usage::batch_number.eq(&gone.batch_number))
                .filter(lot_usage::seq.eq(gone.seq))
                .filter(lot_usage::field_id.eq(&gone.field_id)),
        )
        .execute(conn)?;
    }
    for added in now.lot_uses.iter().filter(|r| !was.lot_uses.contains(r)) {
        diesel::insert_into(lot_usage::table)
            .values(added)
            .execute(conn)?;
    }
    Ok(())
}

/// Projects one batch from its stream, on tables that hold nothing of it yet (a replay).
pub fn replay(conn: &mut DbConn, batch_number: &str) -> Result<(), ServiceError> {
    let stream = Stream::named("batch/", batch_number)?;
    // A stream that does not begin with a batch's creation holds no batch (the ledger's own
    // tests write such streams); there is nothing to project.
    let entries = ledger::stream_entries(conn, &stream)?;
    if entries
        .first()
        .is_none_or(|first| first.kind != "batch.created")
    {
        return Ok(());
    }
    let events = entries
        .iter()
        .map(ledger::decode::<BatchEvent>)
        .collect::<Result<Vec<_>, _>>()?;
    let Some(batch) = Batch::fold(&events)? else {
        return Ok(());
    };
    let created = &batch.created;
    let template = crate::services::template_versions::pinned_version(
        conn,
        &created.template_code,
        created.template_version,
    )?;
    let position = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let now = Projected::of(&batch, &template, position);
    Ok(write_changes(conn, &Projected::default(), &now)?)
}

fn row(batch: &Batch, template: &Template, position: i64) -> BatchRow {
    let created = &batch.created;
    BatchRow {
        batch_number: created.batch_number.clone(),
        coi: created.coi.clone(),
        template_code: created.template_code.clone(),
        template_version: i32::try_from(created.template_version).unwrap_or(i32::MAX),
        patient_code: created.patient_code.clone(),
        treating_site: created.treating_site.clone(),
        state: batch.state(template).as_str().to_owned(),
        open_deviations: i32::try_from(batch.deviations.iter().filter(|d| d.is_open()).count())
            .unwrap_or(i32::MAX),
        position,
    }
}

/// What waits for a second person: step records, QC results (`qc/<test_id>`, by attempt)
/// and a bedside check waiting for its witness (`bedside_check`, by check).
fn pending(batch: &Batch, template: &Template) -> Vec<PendingRow> {
    let waiting = |step_id: String, record: u32, role: Role, performed_by: &str| PendingRow {
        batch_number: batch.created.batch_number.clone(),
        step_id,
        record: i32::try_from(record).unwrap_or(i32::MAX),
        role: role.as_str().to_owned(),
        performed_by: performed_by.to_owned(),
    };
    let steps = batch
        .records
        .iter()
        .filter(|r| r.verified_by.is_none())
        .filter_map(|r| {
            let (_, step) = template.step(&r.step_id)?;
            step.verify
                .then(|| waiting(r.step_id.clone(), r.record, step.role, &r.performed_by))
        });
    let open = batch.release.is_none();
    let results = template
        .qc_tests
        .iter()
        .filter_map(|test| batch.current_qc_result(&test.id))
        .filter(|r| open && r.verified.is_none())
        .map(|r| {
            let id = format!("qc/{}", r.recorded.test_id);
            waiting(id, r.recorded.attempt, Role::QcAnalyst, &r.entry.by)
        });
    let witness = batch
        .bedside_checks
        .last()
        .filter(|c| c.witnessed.is_none() && !c.voided && batch.infusion.is_none())
        .map(|c| {
            let id = BEDSIDE_CHECK.to_owned();
            waiting(id, c.check.check_id, Role::Clinician, &c.entry.by)
        });
    steps.chain(results).chain(witness).collect()
}

/// Every field of the batch that names a lot. A correction that names a lot adds a use and
/// takes none away: for a recall, the lot the record first named stays traced too.
fn lot_uses(batch: &Batch) -> Vec<LotUsageRow> {
    let number = &batch.created.batch_number;
    let use_of = |lot: &str, step_id: &str, record: u32, field_id: &str, seq: i64| LotUsageRow {
        lot_id: lot.to_owned(),
        batch_number: number.clone(),
        step_id: step_id.to_owned(),
        record: i32::try_from(record).unwrap_or(i32::MAX),
        field_id: field_id.to_owned(),
        seq,
    };
    let recorded = batch.records.iter().flat_map(|r| {
        r.values.iter().filter_map(|(field_id, value)| {
            let lot = value.material_lot()?;
            Some(use_of(lot, &r.step_id, r.record, field_id, r.seq))
        })
    });
    let corrected = batch.corrections.iter().filter_map(|c| {
        let v = &c.corrected;
        let lot = v.value.material_lot()?;
        Some(use_of(lot, &v.step_id, v.record, &v.field_id, c.seq))
    });
    recorded.chain(corrected).collect()
}

/// The uses of one lot, with the row of each batch that used it, by batch number and then in
/// ledger order.
pub fn uses_of_lot(conn: &mut DbConn, lot_id: &str) -> QueryResult<Vec<(LotUsageRow, BatchRow)>> {
    lot_usage::table
        .inner_join(batches::table.on(batches::batch_number.eq(lot_usage::batch_number)))
        .filter(lot_usage::lot_id.eq(lot_id))
        .order((
            lot_usage::batch_number.asc(),
            lot_usage::seq.asc(),
            lot_usage::field_id.asc(),
        ))
        .select((LotUsageRow::as_select(), BatchRow::as_select()))
        .load(conn)
}

/// A filter on the batch list.
#[derive(Debug, Default)]
pub struct Filter {
    pub state: Option<String>,
    pub template: Option<String>,
    /// Only batches with a verification this user may make: of a role they hold, of a step
    /// someone else performed.
    pub pending_for: Option<(String, Vec<String>)>,
}

pub fn list(conn: &mut DbConn, filter: &Filter) -> QueryResult<Vec<BatchRow>> {
    let mut query = batches::table
        .order(batches::batch_number.asc())
        .into_boxed();
    if let Some(state) = &filter.state {
        query = query.filter(batches::state.eq(state.clone()));
    }
    if let Some(template) = &filter.template {
        query = query.filter(batches::template_code.eq(template.clone()));
    }
    if let Some((username, roles)) = &filter.pending_for {
        let waiting = pending_verifications::table
            .filter(pending_verifications::role.eq_any(roles.clone()))
            .filter(pending_verifications::performed_by.ne(username.clone()))
            .select(pending_verifications::batch_number);
        query = query.filter(batches::batch_number.eq_any(waiting));
    }
    query.select(BatchRow::as_select()).load(conn)
}

pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(lot_usage::table).execute(conn)?;
    diesel::delete(pending_verifications::table).execute(conn)?;
    diesel::delete(batches::table).execute(conn).map(drop)
}

pub fn snapshot(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut rows: Vec<String> = list(conn, &Filter::default())?
        .iter()
        .map(|r| format!("batches {r:?}"))
        .collect();
    let pending: Vec<PendingRow> = pending_verifications::table
        .order((
            pending_verifications::batch_number,
            pending_verifications::step_id,
            pending_verifications::record,
        ))
        .select(PendingRow::as_select())
        .load(conn)?;
    rows.extend(
        pending
            .iter()
            .map(|r| format!("pending_verifications {r:?}")),
    );
    let uses: Vec<LotUsageRow> = lot_usage::table
        .order((lot_usage::batch_number, lot_usage::seq, lot_usage::field_id))
        .select(LotUsageRow::as_select())
        .load(conn)?;
    rows.extend(uses.iter().map(|r| format!("lot_usage {r:?}")));
    Ok(rows)
}
