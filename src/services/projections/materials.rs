//! The `lots` and `equipment` tables: what the lot and equipment streams say now.

use diesel::prelude::*;

use crate::db::schema::{equipment, lots};
use crate::db::DbConn;
use chrono::NaiveDate;

use crate::domain::material::{lot_use, EquipmentEvent, LotEvent, LotStatus, LotUse};
use crate::domain::Recorded;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = lots)]
pub struct LotRow {
    pub lot_id: String,
    pub material: String,
    pub lot_number: String,
    pub supplier: String,
    pub expiry: String,
    pub certificate: Option<String>,
    pub status: String,
}

impl LotRow {
    /// The row's status; a value the projection never writes reads as rejected, so that it
    /// is never offered.
    pub fn lot_status(&self) -> LotStatus {
        LotStatus::parse(&self.status).unwrap_or(LotStatus::Rejected)
    }

    /// Whether the lot may be used on `day` (an unreadable expiry, never).
    pub fn lot_use(&self, day: NaiveDate) -> LotUse {
        // An expiry that cannot be read is taken as passed; the lot's own status (in
        // quarantine, rejected) is still said first, as for any other lot.
        let expiry = NaiveDate::parse_from_str(&self.expiry, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        lot_use(self.lot_status(), expiry, day)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = equipment)]
pub struct EquipmentRow {
    pub equipment_id: String,
    pub equipment_kind: String,
    pub calibration_due: String,
    pub last_calibrated: Option<String>,
}

pub fn apply_lot(conn: &mut DbConn, lot_id: &str, event: &Recorded<LotEvent>) -> QueryResult<()> {
    let set_status = |conn: &mut DbConn, status: LotStatus| {
        diesel::update(lots::table.find(lot_id))
            .set(lots::status.eq(status.as_str()))
            .execute(conn)
            .map(drop)
    };
    match &event.event {
        LotEvent::Registered(r) => diesel::insert_into(lots::table)
            .values(LotRow {
                lot_id: r.lot_id.clone(),
                material: r.material.clone(),
                lot_number: r.lot_number.clone(),
                supplier: r.supplier.clone(),
                expiry: r.expiry.to_string(),
                certificate: r.certificate.clone(),
                status: LotStatus::Quarantine.as_str().to_owned(),
            })
            .execute(conn)
            .map(drop),
        LotEvent::Released(_) => set_status(conn, LotStatus::Released),
        LotEvent::Rejected(_) => set_status(conn, LotStatus::Rejected),
        LotEvent::SignatureApplied(_) => Ok(()),
    }
}

pub fn apply_equipment(
    conn: &mut DbConn,
    equipment_id: &str,
    event: &Recorded<EquipmentEvent>,
) -> QueryResult<()> {
    match &event.event {
        EquipmentEvent::Registered(r) => diesel::insert_into(equipment::table)
            .values(EquipmentRow {
                equipment_id: r.equipment_id.clone(),
                equipment_kind: r.equipment_kind.clone(),
                calibration_due: r.calibration_due.to_string(),
                last_calibrated: None,
            })
            .execute(conn)
            .map(drop),
        // A calibration names no equipment id in its payload; its stream does.
        EquipmentEvent::Calibrated(c) => diesel::update(equipment::table.find(equipment_id))
            .set((
                equipment::calibration_due.eq(c.calibration_due.to_string()),
                equipment::last_calibrated.eq(Some(c.calibrated_on.to_string())),
            ))
            .execute(conn)
            .map(drop),
        EquipmentEvent::SignatureApplied(_) => Ok(()),
    }
}

pub fn list_lots(conn: &mut DbConn, material: Option<&str>) -> QueryResult<Vec<LotRow>> {
    let mut query = lots::table.order(lots::lot_id.asc()).into_boxed();
    if let Some(material) = material {
        query = query.filter(lots::material.eq(material.to_owned()));
    }
    query.select(LotRow::as_select()).load(conn)
}

pub fn find_lot(conn: &mut DbConn, lot_id: &str) -> QueryResult<Option<LotRow>> {
    lots::table
        .find(lot_id)
        .select(LotRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_equipment(conn: &mut DbConn) -> QueryResult<Vec<EquipmentRow>> {
    equipment::table
        .order(equipment::equipment_id.asc())
        .select(EquipmentRow::as_select())
        .load(conn)
}

pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(lots::table).execute(conn)?;
    diesel::delete(equipment::table).execute(conn)?;
    Ok(())
}

/// Every row, in key order, for comparing with a fresh fold.
pub fn snapshot(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut rows: Vec<String> = list_lots(conn, None)?
        .iter()
        .map(|r| format!("lots {r:?}"))
        .collect();
    rows.extend(
        list_equipment(conn)?
            .iter()
            .map(|r| format!("equipment {r:?}")),
    );
    Ok(rows)
}
