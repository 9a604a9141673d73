//! Material lots and equipment: registered by QA, released or rejected (lots) and calibrated
//! (equipment) with QA's signature. Each write takes the one command path; the rules are in
//! `domain::material`.

use chrono::NaiveDate;

use crate::command::{self, Decision};
use crate::db::DbConn;
use crate::domain::material::{self, Equipment, EquipmentEvent, Lot, LotEvent};
use crate::domain::{About, DomainError, Recorded};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Stream};
use crate::services::projections::materials::{self as rows, EquipmentRow, LotRow};
use crate::services::signatures::{self, VerifiedSigner};

pub fn lot_stream(lot_id: &str) -> Result<Stream, ServiceError> {
    Ok(Stream::named("lot/", lot_id)?)
}

pub fn equipment_stream(equipment_id: &str) -> Result<Stream, ServiceError> {
    Ok(Stream::named("equipment/", equipment_id)?)
}

/// A lot as its stream says it is now, if it exists.
pub fn lot(conn: &mut DbConn, lot_id: &str) -> Result<Option<Lot>, ServiceError> {
    let Ok(stream) = lot_stream(lot_id) else {
        return Ok(None);
    };
    Ok(Lot::fold(&ledger::stream_events(conn, &stream)?))
}

pub fn equipment(conn: &mut DbConn, equipment_id: &str) -> Result<Option<Equipment>, ServiceError> {
    let Ok(stream) = equipment_stream(equipment_id) else {
        return Ok(None);
    };
    Ok(Equipment::fold(&ledger::stream_events(conn, &stream)?))
}

pub struct NewLot {
    pub material: String,
    pub lot_number: String,
    pub supplier: String,
    pub expiry: NaiveDate,
    pub certificate: Option<String>,
}

/// Registers a lot in quarantine under the next lot id (`L000001`, …), which is never reused.
pub fn register_lot(conn: &mut DbConn, actor: &Actor, new: NewLot) -> Result<LotRow, ServiceError> {
    ledger::write(conn, |tx| {
        let count = ledger::streams_with_prefix(tx.conn(), "lot/")?.len();
        let lot_id = format!("L{:06}", count + 1);
        let stream = lot_stream(&lot_id)?;
        let (appended, _) = command::decide_and_append(tx, &stream, actor, Some(0), |_, _| {
            let event = material::register_lot(
                lot_id.clone(),
                &new.material,
                &new.lot_number,
                &new.supplier,
                new.expiry,
                new.certificate.clone(),
            )?;
            Ok(Decision::Accept(vec![event]))
        })?;
        project_lot(tx.conn(), &lot_id, &appended.events)?;
        find_lot(tx.conn(), &lot_id)
    })
}

/// QA releases the lot from quarantine (`release`) or rejects it, signed (`approved`).
pub fn decide_lot(
    conn: &mut DbConn,
    actor: &Actor,
    lot_id: &str,
    release: bool,
    reason: &str,
    signer: VerifiedSigner,
) -> Result<LotRow, ServiceError> {
    let stream = lot_stream(lot_id).map_err(|_| unknown_lot(lot_id))?;
    command::execute(
        conn,
        &stream,
        actor,
        None,
        |_, events| {
            let lot = Lot::fold(events).ok_or_else(|| unknown_lot(lot_id))?;
            Ok(Decision::Accept(vec![material::decide_lot(
                &lot, release, reason,
            )?]))
        },
        |tx, appended| {
            project_lot(tx.conn(), lot_id, &appended.events)?;
            signatures::apply(tx, signer, &appended.entries)?;
            find_lot(tx.conn(), lot_id)
        },
    )
}

fn project_lot(
    conn: &mut DbConn,
    lot_id: &str,
    events: &[Recorded<LotEvent>],
) -> Result<(), ServiceError> {
    for event in events {
        rows::apply_lot(conn, lot_id, event)?;
    }
    Ok(())
}

fn find_lot(conn: &mut DbConn, lot_id: &str) -> Result<LotRow, ServiceError> {
    rows::list_lots(conn, None)?
        .into_iter()
        .find(|row| row.lot_id == lot_id)
        .ok_or_else(|| unknown_lot(lot_id))
}

pub(crate) fn unknown_lot(lot_id: &str) -> ServiceError {
    DomainError::not_found("lot_not_found", format!("there is no lot {lot_id}")).into()
}

pub fn register_equipment(
    conn: &mut DbConn,
    actor: &Actor,
    equipment_id: &str,
    kind: &str,
    calibration_due: NaiveDate,
) -> Result<EquipmentRow, ServiceError> {
    let id = material::identifier(equipment_id, "invalid_equipment_id", "an equipment id")
        .about("id")?;
    let stream = equipment_stream(&id)?;
    command::execute(
        conn,
        &stream,
        actor,
        None,
        |_, events| {
            let existing = Equipment::fold(events);
            let event =
                material::register_equipment(existing.as_ref(), &id, kind, calibration_due)?;
            Ok(Decision::Accept(vec![event]))
        },
        |tx, appended| {
            project_equipment(tx.conn(), &id, &appended.events)?;
            find_equipment(tx.conn(), &id)
        },
    )
}

/// QA records a calibration, signed (`approved`).
pub fn calibrate(
    conn: &mut DbConn,
    actor: &Actor,
    equipment_id: &str,
    calibrated_on: NaiveDate,
    calibration_due: NaiveDate,
    signer: VerifiedSigner,
) -> Result<EquipmentRow, ServiceError> {
    let stream = equipment_stream(equipment_id).map_err(|_| unknown_equipment(equipment_id))?;
    let today = crate::services::accounts::now().date_naive();
    command::execute(
        conn,
        &stream,
        actor,
        None,
        |_, events| {
            Equipment::fold(events).ok_or_else(|| unknown_equipment(equipment_id))?;
            let event = material::calibrate(calibrated_on, calibration_due, today)?;
            Ok(Decision::Accept(vec![event]))
        },
        |tx, appended| {
            project_equipment(tx.conn(), equipment_id, &appended.events)?;
            signatures::apply(tx, signer, &appended.entries)?;
            find_equipment(tx.conn(), equipment_id)
        },
    )
}

fn project_equipment(
    conn: &mut DbConn,
    equipment_id: &str,
    events: &[Recorded<EquipmentEvent>],
) -> Result<(), ServiceError> {
    for event in events {
        rows::apply_equipment(conn, equipment_id, event)?;
    }
    Ok(())
}

fn find_equipment(conn: &mut DbConn, equipment_id: &str) -> Result<EquipmentRow, ServiceError> {
    rows::list_equipment(conn)?
        .into_iter()
        .find(|row| row.equipment_id == equipment_id)
        .ok_or_else(|| unknown_equipment(equipment_id))
}

fn unknown_equipment(equipment_id: &str) -> ServiceError {
    DomainError::not_found(
        "equipment_not_found",
        format!("there is no equipment {equipment_id}"),
    )
    .into()
}
