//! The `batches` list and the `pending_verifications` a second person can pick up: both
//! recomputed from a batch's whole stream (and its pinned template) whenever the stream
//! changes, so they can never drift from a fold of it.

use diesel::prelude::*;

use crate::db::schema::{batches, pending_verifications};
use crate::db::DbConn;
use crate::domain::batch::custody::BEDSIDE_CHECK;
use crate::domain::batch::{Batch, BatchEvent};
use crate::domain::template::Template;
use crate::domain::Role;
use crate::error::ServiceError;
use crate::ledger::{self, Stream};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
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

/// Recomputes the rows of one batch from its stream.
pub fn refresh(conn: &mut DbConn, batch_number: &str) -> Result<(), ServiceError> {
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
    let template =
        crate::templates::pinned_version(conn, &created.template_code, created.template_version)?;
    diesel::delete(
        pending_verifications::table.filter(pending_verifications::batch_number.eq(batch_number)),
    )
    .execute(conn)?;
    diesel::delete(batches::table.find(batch_number)).execute(conn)?;
    diesel::insert_into(batches::table)
        .values(row(&batch, &template, events.len()))
        .execute(conn)?;
    // One by one: a multi-row insert does not compile for the two backends at once.
    for waiting in pending(&batch, &template) {
        diesel::insert_into(pending_verifications::table)
            .values(waiting)
            .execute(conn)?;
    }
    Ok(())
}

fn row(batch: &Batch, template: &Template, position: usize) -> BatchRow {
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
        position: i64::try_from(position).unwrap_or(i64::MAX),
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
    Ok(rows)
}
