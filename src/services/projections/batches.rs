//! The `batches` list, the `pending_verifications` a second person can pick up, the
//! `lot_usage` a recall traces, and QA's lists across batches (`open_deviation_rows`,
//! `waiting_correction_rows`): the rows a fold of a batch's stream (with its pinned template)
//! says it has. A write computes them from the fold it decided on and writes what changed;
//! a replay writes them from a fresh fold, so they can never drift from one.

use diesel::prelude::*;

use crate::db::schema::{
    batches, lot_usage, open_deviation_rows, pending_verifications, waiting_correction_rows,
};
use crate::db::DbConn;
use crate::domain::batch::custody::BEDSIDE_CHECK;
use crate::domain::batch::{Batch, BatchEvent, BatchState, ValueStatus};
use crate::domain::template::Template;
use crate::domain::Role;
use crate::error::ServiceError;
use crate::ledger::{self, Stream};
use crate::services::paging::{batch_and_number, split_batch_and_number, DayRange, Page, PageSpec};

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
    pub created_at: String,
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

/// A deviation still open, in QA's list across batches.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = open_deviation_rows)]
pub struct OpenDeviationRow {
    pub batch_number: String,
    pub deviation_id: i32,
    pub description: String,
    pub automatic: bool,
    /// The title of the step it was raised on, in the batch's template version.
    pub step_title: Option<String>,
    pub raised_by: String,
    pub raised_at: String,
    pub classification: Option<String>,
    /// The entry that raised it.
    pub seq: i64,
}

/// A correction waiting for a second person's verification or QA's approval, in QA's list
/// across batches.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = waiting_correction_rows)]
pub struct WaitingCorrectionRow {
    pub batch_number: String,
    pub correction_id: i32,
    pub step_title: String,
    pub record: i32,
    pub field_label: String,
    /// `FieldType::as_str` of the field, and its unit: how the values are shown.
    pub field_kind: String,
    pub unit: Option<String>,
    /// The value it replaces and the value it sets, as JSON.
    pub previous: Option<String>,
    pub value: String,
    pub reason: String,
    pub corrected_by: String,
    pub corrected_at: String,
    /// `ValueStatus::as_str`.
    pub status: String,
    /// The entry that made it.
    pub seq: i64,
}

/// The rows one batch has in the projections: what a fold of its stream says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projected {
    batch: Option<BatchRow>,
    pending: Vec<PendingRow>,
    lot_uses: Vec<LotUsageRow>,
    open_deviations: Vec<OpenDeviationRow>,
    waiting_corrections: Vec<WaitingCorrectionRow>,
}

impl Projected {
    /// The rows of a batch folded from `position` events.
    pub fn of(batch: &Batch, template: &Template, position: i64) -> Projected {
        Projected {
            batch: Some(row(batch, template, position)),
            pending: pending(batch, template),
            lot_uses: lot_uses(batch),
            open_deviations: open_deviations(batch, template),
            waiting_corrections: waiting_corrections(batch, template),
        }
    }
}

/// The rows in `now` that are not in `was`.
fn added<'a, R: PartialEq>(was: &'a [R], now: &'a [R]) -> impl Iterator<Item = &'a R> {
    now.iter().filter(move |r| !was.contains(r))
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
    for gone in added(&now.pending, &was.pending) {
        diesel::delete(
            pending_verifications::table
                .filter(pending_verifications::batch_number.eq(&gone.batch_number))
                .filter(pending_verifications::step_id.eq(&gone.step_id))
                .filter(pending_verifications::record.eq(gone.record)),
        )
        .execute(conn)?;
    }
    // One by one: a multi-row insert does not compile for the two backends at once.
    for new in added(&was.pending, &now.pending) {
        diesel::insert_into(pending_verifications::table)
            .values(new)
            .execute(conn)?;
    }
    for gone in added(&now.lot_uses, &was.lot_uses) {
        diesel::delete(
            lot_usage::table
                .filter(lot_usage::batch_number.eq(&gone.batch_number))
                .filter(lot_usage::seq.eq(gone.seq))
                .filter(lot_usage::field_id.eq(&gone.field_id)),
        )
        .execute(conn)?;
    }
    for new in added(&was.lot_uses, &now.lot_uses) {
        diesel::insert_into(lot_usage::table)
            .values(new)
            .execute(conn)?;
    }
    write_queue_changes(conn, was, now)
}

/// QA's lists: a row that changed (a deviation classified, a correction verified) is
/// deleted and inserted again.
fn write_queue_changes(conn: &mut DbConn, was: &Projected, now: &Projected) -> QueryResult<()> {
    for gone in added(&now.open_deviations, &was.open_deviations) {
        diesel::delete(open_deviation_rows::table.find((&gone.batch_number, gone.deviation_id)))
            .execute(conn)?;
    }
    for new in added(&was.open_deviations, &now.open_deviations) {
        diesel::insert_into(open_deviation_rows::table)
            .values(new)
            .execute(conn)?;
    }
    for gone in added(&now.waiting_corrections, &was.waiting_corrections) {
        diesel::delete(
            waiting_correction_rows::table.find((&gone.batch_number, gone.correction_id)),
        )
        .execute(conn)?;
    }
    for new in added(&was.waiting_corrections, &now.waiting_corrections) {
        diesel::insert_into(waiting_correction_rows::table)
            .values(new)
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
        created_at: batch.created_at.clone(),
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

fn open_deviations(batch: &Batch, template: &Template) -> Vec<OpenDeviationRow> {
    batch
        .deviations
        .iter()
        .filter(|d| d.is_open())
        .map(|d| OpenDeviationRow {
            batch_number: batch.created.batch_number.clone(),
            deviation_id: i32::try_from(d.raised.deviation_id).unwrap_or(i32::MAX),
            description: d.raised.description.clone(),
            automatic: d.raised.automatic,
            step_title: d.raised.step_id.as_ref().map(|id| {
                template
                    .step(id)
                    .map_or_else(|| id.clone(), |(_, s)| s.title.clone())
            }),
            raised_by: d.raised_by.clone(),
            raised_at: d.raised_at.clone(),
            classification: d.classification.map(|c| c.as_str().to_owned()),
            seq: d.seq,
        })
        .collect()
}

/// The corrections not yet in effect, of a batch not finished, with the value each replaces:
/// the one before it in the field's history (the value recorded, or an earlier correction).
fn waiting_corrections(batch: &Batch, template: &Template) -> Vec<WaitingCorrectionRow> {
    if batch.state(template).is_finished() {
        return Vec::new();
    }
    let corrections = &batch.corrections;
    corrections
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status() != ValueStatus::InEffect)
        .filter_map(|(i, c)| {
            let v = &c.corrected;
            let (_, step) = template.step(&v.step_id)?;
            let field = step.field(&v.field_id)?;
            let same_value = |e: &&crate::domain::batch::Correction| {
                let e = &e.corrected;
                (e.step_id == v.step_id) && e.record == v.record && e.field_id == v.field_id
            };
            let earlier = corrections[..i].iter().rev().find(same_value);
            let recorded = || {
                let record = batch
                    .records
                    .iter()
                    .find(|r| r.step_id == v.step_id && r.record == v.record)?;
                record.values.get(&v.field_id).map(|value| value.as_json())
            };
            let previous = earlier
                .map(|e| e.corrected.value.as_json())
                .or_else(recorded);
            Some(WaitingCorrectionRow {
                batch_number: batch.created.batch_number.clone(),
                correction_id: i32::try_from(v.correction_id).unwrap_or(i32::MAX),
                step_title: step.title.clone(),
                record: i32::try_from(v.record).unwrap_or(i32::MAX),
                field_label: field.label.clone(),
                field_kind: field.kind.as_str().to_owned(),
                unit: field.unit.clone(),
                previous: previous.map(|p| p.to_string()),
                value: v.value.as_json().to_string(),
                reason: v.reason.clone(),
                corrected_by: c.by.clone(),
                corrected_at: c.at.clone(),
                status: c.status().as_str().to_owned(),
                seq: c.seq,
            })
        })
        .collect()
}

/// One page of QA's list of open deviations, by batch and then as raised. A cursor whose key
/// is not a batch and a number (none this list gave) answers an empty page.
pub fn open_deviation_list(
    conn: &mut DbConn,
    page: &PageSpec,
) -> QueryResult<Page<OpenDeviationRow>> {
    use open_deviation_rows::dsl::{batch_number, deviation_id};
    let total = open_deviation_rows::table.count().get_result(conn)?;
    let mut query = open_deviation_rows::table.into_boxed();
    match page.after.as_deref().map(split_batch_and_number) {
        None => {}
        Some(None) => return Ok(Page::of(Vec::new(), page, total, key_of_deviation)),
        Some(Some((batch, id))) => {
            let later = batch_number.eq(batch.clone()).and(deviation_id.gt(id));
            query = query.filter(batch_number.gt(batch).or(later));
        }
    }
    let fetched = query
        .order((batch_number.asc(), deviation_id.asc()))
        .limit(page.fetch())
        .select(OpenDeviationRow::as_select())
        .load(conn)?;
    Ok(Page::of(fetched, page, total, key_of_deviation))
}

fn key_of_deviation(row: &OpenDeviationRow) -> String {
    batch_and_number(&row.batch_number, row.deviation_id)
}

/// One page of QA's list of corrections waiting, by batch and then as made.
pub fn waiting_correction_list(
    conn: &mut DbConn,
    page: &PageSpec,
) -> QueryResult<Page<WaitingCorrectionRow>> {
    use waiting_correction_rows::dsl::{batch_number, correction_id};
    let total = waiting_correction_rows::table.count().get_result(conn)?;
    let mut query = waiting_correction_rows::table.into_boxed();
    match page.after.as_deref().map(split_batch_and_number) {
        None => {}
        Some(None) => return Ok(Page::of(Vec::new(), page, total, key_of_correction)),
        Some(Some((batch, id))) => {
            let later = batch_number.eq(batch.clone()).and(correction_id.gt(id));
            query = query.filter(batch_number.gt(batch).or(later));
        }
    }
    let fetched = query
        .order((batch_number.asc(), correction_id.asc()))
        .limit(page.fetch())
        .select(WaitingCorrectionRow::as_select())
        .load(conn)?;
    Ok(Page::of(fetched, page, total, key_of_correction))
}

fn key_of_correction(row: &WaitingCorrectionRow) -> String {
    batch_and_number(&row.batch_number, row.correction_id)
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
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// In any of these states (any state when empty).
    pub states: Vec<String>,
    pub template: Option<String>,
    pub site: Option<String>,
    /// Started on these days (UTC).
    pub started: DayRange,
    /// Only batches with a verification this user may make: of a role they hold, of a step
    /// someone else performed.
    pub pending_for: Option<(String, Vec<String>)>,
}

impl Filter {
    pub fn in_states(states: &[BatchState]) -> Filter {
        Filter {
            states: states.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Filter::default()
        }
    }

    fn query(&self) -> batches::BoxedQuery<'static, <DbConn as diesel::Connection>::Backend> {
        let mut query = batches::table.into_boxed();
        if !self.states.is_empty() {
            query = query.filter(batches::state.eq_any(self.states.clone()));
        }
        if let Some(template) = &self.template {
            query = query.filter(batches::template_code.eq(template.clone()));
        }
        if let Some(site) = &self.site {
            query = query.filter(batches::treating_site.eq(site.clone()));
        }
        if let Some(from) = self.started.at_or_after() {
            query = query.filter(batches::created_at.ge(from));
        }
        if let Some(before) = self.started.before() {
            query = query.filter(batches::created_at.lt(before));
        }
        if let Some((username, roles)) = &self.pending_for {
            let waiting = pending_verifications::table
                .filter(pending_verifications::role.eq_any(roles.clone()))
                .filter(pending_verifications::performed_by.ne(username.clone()))
                .select(pending_verifications::batch_number);
            query = query.filter(batches::batch_number.eq_any(waiting));
        }
        query
    }
}

/// One page of the batches the filter matches, by batch number, with their count.
pub fn list(conn: &mut DbConn, filter: &Filter, page: &PageSpec) -> QueryResult<Page<BatchRow>> {
    let total = filter.query().count().get_result(conn)?;
    let mut query = filter.query();
    if let Some(after) = &page.after {
        query = query.filter(batches::batch_number.gt(after.clone()));
    }
    let fetched = query
        .order(batches::batch_number.asc())
        .limit(page.fetch())
        .select(BatchRow::as_select())
        .load(conn)?;
    Ok(Page::of(fetched, page, total, |r| r.batch_number.clone()))
}

pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(waiting_correction_rows::table).execute(conn)?;
    diesel::delete(open_deviation_rows::table).execute(conn)?;
    diesel::delete(lot_usage::table).execute(conn)?;
    diesel::delete(pending_verifications::table).execute(conn)?;
    diesel::delete(batches::table).execute(conn).map(drop)
}

pub fn snapshot(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let every: Vec<BatchRow> = batches::table
        .order(batches::batch_number.asc())
        .select(BatchRow::as_select())
        .load(conn)?;
    let mut rows: Vec<String> = every.iter().map(|r| format!("batches {r:?}")).collect();
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
    let deviations: Vec<OpenDeviationRow> = open_deviation_rows::table
        .order((
            open_deviation_rows::batch_number,
            open_deviation_rows::deviation_id,
        ))
        .select(OpenDeviationRow::as_select())
        .load(conn)?;
    rows.extend(
        deviations
            .iter()
            .map(|r| format!("open_deviation_rows {r:?}")),
    );
    let corrections: Vec<WaitingCorrectionRow> = waiting_correction_rows::table
        .order((
            waiting_correction_rows::batch_number,
            waiting_correction_rows::correction_id,
        ))
        .select(WaitingCorrectionRow::as_select())
        .load(conn)?;
    rows.extend(
        corrections
            .iter()
            .map(|r| format!("waiting_correction_rows {r:?}")),
    );
    Ok(rows)
}
