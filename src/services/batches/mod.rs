//! Batches: created at apheresis receipt under a new batch number and a chain of identity
//! identifier reserved for them alone, then recorded step by step. Every write takes the one
//! command path; every rule is in `domain::batch::decide`.

pub mod custody;
pub mod export;
mod folded;
mod oversight;
mod release;
pub mod release_view;
pub mod view;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

pub use folded::Folded;
pub use oversight::{confirm_correction, correct, supervise, Supervision};
pub use release::{
    decide_release, record_qc_result, request_exceptional_release, review, verify_qc_result,
    Reviewed,
};
pub use view::{record_and_template, record_view, BatchView};

use crate::command::{self, Appended, Decision};
use crate::db::DbConn;
use crate::domain::batch::decide::{self, NewBatch, RecordStep, Resources};
use crate::domain::batch::{Batch, BatchEvent, CoiAssigned, CoiEvent};
use crate::domain::coi::{Coi, FacilityId};
use crate::domain::{About, DomainError, Recorded};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Appender, Entry, Stream};
use crate::services::accounts::{now, Principal};
use crate::services::signatures::{self, VerifiedSigner};

pub fn stream(batch_number: &str) -> Result<Stream, ServiceError> {
    Stream::named("batch/", batch_number).map_err(|_| unknown(batch_number))
}

fn unknown(batch_number: &str) -> ServiceError {
    DomainError::not_found(
        "batch_not_found",
        format!("there is no batch {batch_number}"),
    )
    .into()
}

pub struct CreateBatch {
    pub template: String,
    pub coi: Option<String>,
    pub patient_code: String,
    pub date_of_birth: NaiveDate,
    pub treating_site: String,
    pub patient_weight_kg: String,
}

/// Creates a batch on the newest approved version of its template, under the next batch
/// number, with the given identifier (from the collection centre) or the next one of this
/// facility. Returns the batch as created.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    facility: &FacilityId,
    command: CreateBatch,
) -> Result<Folded, ServiceError> {
    let today = now().date_naive();
    let folded = ledger::write(conn, |tx| {
        let (version, template) =
            crate::services::templates::latest_approved(tx.conn(), &command.template)
                .about("template")?;
        let count = ledger::streams_with_prefix(tx.conn(), "batch/")?.len();
        let batch_number = format!("B-{}-{:05}", today.year(), count + 1);
        let (coi, assigned_by) = match &command.coi {
            Some(raw) => (Coi::parse(raw).about("coi")?, "collection_centre"),
            None => (next_coi(tx.conn(), facility, today.year())?, "server"),
        };
        reserve(tx, actor, &coi, &batch_number, assigned_by)?;
        let new = NewBatch {
            batch_number: batch_number.clone(),
            coi,
            template_code: command.template.clone(),
            template_version: version,
            patient_code: command.patient_code.clone(),
            date_of_birth: command.date_of_birth,
            treating_site: command.treating_site.clone(),
            patient_weight_kg: command.patient_weight_kg.clone(),
        };
        let (appended, _) =
            command::decide_and_append(tx, &stream(&batch_number)?, actor, Some(0), |_, _| {
                Ok(Decision::Accept(vec![decide::decide_create(new, today)?]))
            })?;
        let mut folded = Folded::created(appended.events, template, &batch_number)?;
        folded.project(tx.conn())?;
        Ok::<_, ServiceError>(folded)
    })?;
    folded.clone().keep();
    Ok(folded)
}

/// The first event of `coi/<identifier>`: a second batch with the same identifier finds the
/// stream taken and is refused.
fn reserve(
    tx: &mut Appender<'_>,
    actor: &Actor,
    coi: &Coi,
    batch_number: &str,
    assigned_by: &str,
) -> Result<(), ServiceError> {
    let coi_stream = Stream::named("coi/", coi.as_str())?;
    command::decide_and_append(
        tx,
        &coi_stream,
        actor,
        None,
        |_, events: &[Recorded<CoiEvent>]| {
            if let Some(first) = events.first() {
                let CoiEvent::Assigned(taken) = &first.event;
                return Err(DomainError::conflict(
                    "coi_in_use",
                    format!(
                        "coi: {} already identifies batch {}; two batches never share one",
                        coi.printed(),
                        taken.batch_number
                    ),
                )
                .about("coi")
                .into());
            }
            Ok(Decision::Accept(vec![CoiEvent::Assigned(CoiAssigned {
                batch_number: batch_number.to_owned(),
                assigned_by: assigned_by.to_owned(),
            })]))
        },
    )?;
    Ok(())
}

/// The next identifier of this facility and year not yet reserved.
fn next_coi(conn: &mut DbConn, facility: &FacilityId, year: i32) -> Result<Coi, ServiceError> {
    let prefix = format!("coi/CH{}{:02}", facility.as_str(), year.rem_euclid(100));
    let used = ledger::streams_with_prefix(conn, &prefix)?
        .iter()
        .filter_map(|s| {
            s.get(prefix.len()..)
                .and_then(|seq| seq.parse::<u32>().ok())
        })
        .max()
        .unwrap_or(0);
    Ok(Coi::assign(facility, year, used + 1).about("coi")?)
}

/// The one write of a batch: its fold read once, `decide` on it, what it decided appended and
/// applied to the fold, `sign` (in the same transaction) returning the signature it appended,
/// the projection rows that changed written. Returns the batch as committed (kept for the
/// next read too), for the answer.
pub(super) fn write(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    if_match: Option<i64>,
    decide: impl FnOnce(&mut DbConn, &Folded) -> Result<Decision<BatchEvent>, ServiceError>,
    sign: impl FnOnce(&mut Appender<'_>, &Appended<BatchEvent>) -> Result<Option<Entry>, ServiceError>,
) -> Result<Folded, ServiceError> {
    let (folded, ()) = command::execute_on(
        conn,
        (&stream(batch_number)?, &who.actor()),
        if_match,
        |conn| Folded::read(conn, batch_number),
        decide,
        |tx, appended, folded| {
            if let Some(signature) = sign(tx, appended)? {
                command::Aggregate::extend(folded, ledger::decode(&signature)?);
            }
            folded.project(tx.conn())
        },
    )?;
    folded.clone().keep();
    Ok(folded)
}

/// What an operator submits for a step.
pub struct StepInput {
    pub step_id: String,
    pub values: Map<String, Value>,
    pub coi: Option<String>,
}

/// A step recorded and signed (`performed`) by the caller.
pub fn record_step(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    input: StepInput,
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    let today = now().date_naive();
    let StepInput {
        step_id,
        values,
        coi,
    } = input;
    release::record_signed(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |conn, batch, template| {
            let step = template.step(&step_id).map(|(_, s)| s);
            let resources = match step {
                Some(step) => resources(conn, step, &values)?,
                None => Resources::default(),
            };
            let command = RecordStep {
                step_id,
                values,
                coi,
            };
            let performer = (who.username.as_str(), &who.roles);
            Ok(decide::decide_record(
                batch, template, command, performer, &resources, today,
            )?)
        },
    )
}

pub(super) fn resources(
    conn: &mut DbConn,
    step: &crate::domain::template::Step,
    values: &Map<String, Value>,
) -> Result<Resources, ServiceError> {
    let (lots, equipment, attachments) = decide::references(step, values);
    let mut found = Resources::default();
    for lot_id in lots {
        let lot = crate::services::materials::lot(conn, &lot_id)?;
        found.lots.insert(lot_id, lot);
    }
    for equipment_id in equipment {
        let state = crate::services::materials::equipment(conn, &equipment_id)?;
        found.equipment.insert(equipment_id, state);
    }
    for sha256 in attachments {
        let exists = crate::services::attachments::exists(conn, &sha256)?;
        found.attachments.insert(sha256, exists);
    }
    Ok(found)
}

/// A second person verifies a step record, signed (`verified`): the signature binds the record
/// verified, so the record's signatures show performer and verifier side by side.
pub fn verify_step(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    target: (&str, Option<u32>),
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    let (step_id, record) = target;
    confirm(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |batch, template| {
            let verifier = (who.username.as_str(), &who.roles);
            let event = decide::decide_verify(batch, template, step_id, record, verifier)?;
            let verified = match &event {
                BatchEvent::StepVerified(v) => {
                    batch.records_of(step_id).find(|r| r.record == v.record)
                }
                _ => None,
            };
            Ok((event, verified.map(|r| r.seq)))
        },
    )
}

/// Appends the decided event and signs, with the signer's meaning, the earlier entry it is
/// about (the step record verified, the correction verified or approved).
pub(super) fn confirm(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    if_match: Option<i64>,
    signer: VerifiedSigner,
    decide: impl FnOnce(
        &Batch,
        &crate::domain::template::Template,
    ) -> Result<(BatchEvent, Option<i64>), DomainError>,
) -> Result<Folded, ServiceError> {
    // Found while deciding, signed after the append.
    let about = std::cell::Cell::new(None);
    write(
        conn,
        who,
        batch_number,
        if_match,
        |_, folded| {
            let (event, seq) = decide(&folded.batch, &folded.template)?;
            about.set(seq);
            Ok(Decision::Accept(vec![event]))
        },
        |tx, _| {
            let seq = about.get().ok_or_else(|| unknown(batch_number))?;
            let entry = ledger::entry_at(tx.conn(), seq)?.ok_or_else(|| unknown(batch_number))?;
            Ok(Some(signatures::apply(tx, signer, &[entry])?))
        },
    )
}
