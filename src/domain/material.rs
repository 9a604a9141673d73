//! Materials and equipment: a lot is usable in a step only when QA has released it, it is of
//! the material the template names, and it has not expired on the day of use; equipment only
//! when it is registered and its calibration is not overdue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::signature::SignatureApplied;
use super::text::printable_line;
use super::{About, DomainError, Recorded};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum LotEvent {
    #[serde(rename = "lot.registered")]
    Registered(LotRegistered),
    #[serde(rename = "lot.released")]
    Released(LotDecided),
    #[serde(rename = "lot.rejected")]
    Rejected(LotDecided),
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotRegistered {
    pub lot_id: String,
    pub material: String,
    pub lot_number: String,
    pub supplier: String,
    pub expiry: NaiveDate,
    /// SHA-256 of the supplier's certificate of analysis, as an uploaded attachment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotDecided {
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    Quarantine,
    Released,
    Rejected,
}

impl LotStatus {
    /// The status a projection row names, as [`LotStatus::as_str`] writes it.
    pub fn parse(name: &str) -> Option<LotStatus> {
        [
            LotStatus::Quarantine,
            LotStatus::Released,
            LotStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LotStatus::Quarantine => "quarantine",
            LotStatus::Released => "released",
            LotStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub registered: LotRegistered,
    pub status: LotStatus,
}

impl Lot {
    pub fn fold(events: &[Recorded<LotEvent>]) -> Option<Lot> {
        let mut lot: Option<Lot> = None;
        for recorded in events {
            match (&mut lot, &recorded.event) {
                (None, LotEvent::Registered(registered)) => {
                    lot = Some(Lot {
                        registered: registered.clone(),
                        status: LotStatus::Quarantine,
                    })
                }
                (Some(lot), LotEvent::Released(_)) => lot.status = LotStatus::Released,
                (Some(lot), LotEvent::Rejected(_)) => lot.status = LotStatus::Rejected,
                _ => {}
            }
        }
        lot
    }
}

/// A material name as templates and lots spell it: lowercase snake_case.
pub fn material_name(raw: &str) -> Result<String, DomainError> {
    let valid = (2..=64).contains(&raw.len())
        && raw.starts_with(|c: char| c.is_ascii_lowercase())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::new(
            "invalid_material",
            "a material name has 2 to 64 lowercase letters, digits or '_', starting with a letter",
        ))
    }
}

/// An identifier people type or scan: lot numbers, equipment ids.
pub fn identifier(raw: &str, code: &'static str, what: &str) -> Result<String, DomainError> {
    let raw = raw.trim();
    let valid = (1..=64).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::new(
            code,
            format!("{what} has 1 to 64 letters, digits, '.', '_' or '-'"),
        ))
    }
}

/// Registers a lot in quarantine.
pub fn register_lot(
    lot_id: String,
    material: &str,
    lot_number: &str,
    supplier: &str,
    expiry: NaiveDate,
    certificate: Option<String>,
) -> Result<LotEvent, DomainError> {
    Ok(LotEvent::Registered(LotRegistered {
        lot_id,
        material: material_name(material).about("material")?,
        lot_number: identifier(lot_number, "invalid_lot_number", "a lot number")
            .about("lot_number")?,
        supplier: printable_line(supplier, "invalid_supplier", "the supplier", 1..=200)
            .about("supplier")?,
        expiry,
        certificate: certificate
            .as_deref()
            .map(certificate_hash)
            .transpose()
            .about("certificate")?,
    }))
}

/// A certificate of analysis is named by the SHA-256 its upload answered, 64 lowercase hex
/// digits.
fn certificate_hash(raw: &str) -> Result<String, DomainError> {
    let valid = raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::new(
            "invalid_attachment",
            "certificate: give the lowercase hex SHA-256 that POST /api/v1/attachments answered",
        ))
    }
}

/// QA releases a lot from quarantine, or rejects it (also after release: a recall).
pub fn decide_lot(lot: &Lot, release: bool, reason: &str) -> Result<LotEvent, DomainError> {
    let reason = if reason.trim().is_empty() && release {
        String::new()
    } else {
        printable_line(reason, "invalid_reason", "a reason", 1..=500).about("reason")?
    };
    match (lot.status, release) {
        (LotStatus::Quarantine, true) => Ok(LotEvent::Released(LotDecided { reason })),
        (LotStatus::Quarantine | LotStatus::Released, false) => {
            Ok(LotEvent::Rejected(LotDecided { reason }))
        }
        (status, _) => Err(DomainError::conflict(
            "lot_status",
            format!(
                "lot {} is {}; it cannot be {} now",
                lot.registered.lot_id,
                status.as_str(),
                if release { "released" } else { "rejected" }
            ),
        )),
    }
}

/// Whether a lot may be used for `material` in a step happening on `day`; refusals name the
/// field.
pub fn check_lot_usable(
    lot: Option<&Lot>,
    lot_id: &str,
    material: &str,
    day: NaiveDate,
    field: &str,
) -> Result<(), DomainError> {
    let refuse = |code, why: String| Err(DomainError::new(code, format!("{field}: {why}")));
    let Some(lot) = lot else {
        return refuse(
            "lot_unknown",
            format!("there is no registered lot {lot_id}"),
        );
    };
    let registered = &lot.registered;
    if registered.material != material {
        return refuse(
            "lot_wrong_material",
            format!("lot {lot_id} is {}, not {material}", registered.material),
        );
    }
    match lot_use(lot.status, registered.expiry, day) {
        LotUse::InQuarantine => refuse(
            "lot_in_quarantine",
            format!("lot {lot_id} is in quarantine: QA has not released it"),
        ),
        LotUse::Rejected => refuse("lot_rejected", format!("lot {lot_id} was rejected by QA")),
        LotUse::Expired => refuse(
            "lot_expired",
            format!("lot {lot_id} expired on {}", registered.expiry),
        ),
        LotUse::Usable => Ok(()),
    }
}

/// Whether a lot of the right material may go into a batch on `day`, and if not why: the
/// rule a step's recording applies, and what the lot list and a step's pickers show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LotUse {
    Usable,
    InQuarantine,
    Rejected,
    Expired,
}

pub fn lot_use(status: LotStatus, expiry: NaiveDate, day: NaiveDate) -> LotUse {
    match status {
        LotStatus::Quarantine => LotUse::InQuarantine,
        LotStatus::Rejected => LotUse::Rejected,
        LotStatus::Released if expiry < day => LotUse::Expired,
        LotStatus::Released => LotUse::Usable,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum EquipmentEvent {
    #[serde(rename = "equipment.registered")]
    Registered(EquipmentRegistered),
    #[serde(rename = "equipment.calibrated")]
    Calibrated(Calibrated),
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquipmentRegistered {
    pub equipment_id: String,
    pub equipment_kind: String,
    pub calibration_due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibrated {
    pub calibrated_on: NaiveDate,
    pub calibration_due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equipment {
    pub equipment_id: String,
    pub equipment_kind: String,
    pub calibration_due: NaiveDate,
    pub last_calibrated: Option<NaiveDate>,
}

impl Equipment {
    pub fn fold(events: &[Recorded<EquipmentEvent>]) -> Option<Equipment> {
        let mut equipment: Option<Equipment> = None;
        for recorded in events {
            match (&mut equipment, &recorded.event) {
                (None, EquipmentEvent::Registered(r)) => {
                    equipment = Some(Equipment {
                        equipment_id: r.equipment_id.clone(),
                        equipment_kind: r.equipment_kind.clone(),
                        calibration_due: r.calibration_due,
                        last_calibrated: None,
                    })
                }
                (Some(e), EquipmentEvent::Calibrated(c)) => {
                    e.calibration_due = c.calibration_due;
                    e.last_calibrated = Some(c.calibrated_on);
                }
                _ => {}
            }
        }
        equipment
    }
}

pub fn register_equipment(
    existing: Option<&Equipment>,
    equipment_id: &str,
    kind: &str,
    calibration_due: NaiveDate,
) -> Result<EquipmentEvent, DomainError> {
    let equipment_id =
        identifier(equipment_id, "invalid_equipment_id", "an equipment id").about("id")?;
    if existing.is_some() {
        return Err(DomainError::conflict(
            "equipment_exists",
            format!("equipment {equipment_id} is already registered (ids are never reused)"),
        )
        .about("id"));
    }
    Ok(EquipmentEvent::Registered(EquipmentRegistered {
        equipment_id,
        equipment_kind: printable_line(kind, "invalid_equipment_kind", "the kind", 1..=100)
            .about("kind")?,
        calibration_due,
    }))
}

/// A calibration done on `calibrated_on`, due again on `calibration_due`.
pub fn calibrate(
    calibrated_on: NaiveDate,
    calibration_due: NaiveDate,
    today: NaiveDate,
) -> Result<EquipmentEvent, DomainError> {
    if calibrated_on > today {
        return Err(DomainError::new(
            "invalid_calibration",
            "a calibration cannot be recorded before it has happened",
        )
        .about("calibrated_on"));
    }
    if calibration_due <= calibrated_on {
        return Err(DomainError::new(
            "invalid_calibration",
            "the next calibration must be due after this one",
        )
        .about("calibration_due"));
    }
    Ok(EquipmentEvent::Calibrated(Calibrated {
        calibrated_on,
        calibration_due,
    }))
}

/// Whether equipment may be used on `day`; refusals name the field.
pub fn check_equipment_usable(
    equipment: Option<&Equipment>,
    equipment_id: &str,
    day: NaiveDate,
    field: &str,
) -> Result<(), DomainError> {
    match equipment {
        None => Err(DomainError::new(
            "equipment_unknown",
            format!("{field}: there is no registered equipment {equipment_id}"),
        )),
        Some(e) if e.calibration_due < day => Err(DomainError::new(
            "equipment_out_of_calibration",
            format!(
                "{field}: equipment {equipment_id} was due for calibration on {}",
                e.calibration_due
            ),
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
#[path = "material_tests.rs"]
mod tests;
