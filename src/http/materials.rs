use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::extract::client_address;
use super::AppState;
use crate::accounts::Principal;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::DomainError;
use crate::error::AppError;
use crate::materials::{self, NewLot};
use crate::projections::materials as rows;
use crate::signatures;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterLot {
    material: String,
    lot_number: String,
    supplier: String,
    /// `YYYY-MM-DD`: the last day the lot may be used.
    expiry: NaiveDate,
    /// SHA-256 of the certificate of analysis, uploaded as an attachment.
    certificate: Option<String>,
}

pub async fn register_lot(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<RegisterLot>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let certificate = body.certificate.map(|c| sha256_text(&c)).transpose()?;
    let new = NewLot {
        material: body.material,
        lot_number: body.lot_number,
        supplier: body.supplier,
        expiry: body.expiry,
        certificate,
    };
    let actor = who.actor();
    let lot = state
        .db
        .run(move |conn| materials::register_lot(conn, &actor, new))
        .await?;
    Ok(HttpResponse::Created().json(serde_json::json!(LotView::from(lot))))
}

fn sha256_text(raw: &str) -> Result<String, AppError> {
    let valid = raw.len() == 64 && raw.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(DomainError::new(
            "invalid_attachment",
            "certificate: give the lowercase hex SHA-256 that POST /api/v1/attachments answered",
        )
        .into())
    }
}

#[derive(serde::Serialize)]
pub struct LotView {
    lot_id: String,
    material: String,
    lot_number: String,
    supplier: String,
    expiry: String,
    certificate: Option<String>,
    status: String,
}

impl From<rows::LotRow> for LotView {
    fn from(row: rows::LotRow) -> Self {
        LotView {
            lot_id: row.lot_id,
            material: row.material,
            lot_number: row.lot_number,
            supplier: row.supplier,
            expiry: row.expiry,
            certificate: row.certificate,
            status: row.status,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotQuery {
    material: Option<String>,
}

pub async fn list_lots(
    _who: Principal,
    state: web::Data<AppState>,
    query: web::Query<LotQuery>,
) -> Result<HttpResponse, AppError> {
    let material = query.into_inner().material;
    let lots = state
        .db
        .run(move |conn| rows::list_lots(conn, material.as_deref()).map_err(AppError::from))
        .await?;
    let lots: Vec<LotView> = lots.into_iter().map(LotView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "lots": lots })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotDecision {
    #[serde(default)]
    reason: String,
    signature: SignatureInput,
}

pub async fn release_lot(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<LotDecision>,
) -> Result<HttpResponse, AppError> {
    decide_lot(req, who, state, path.into_inner(), body.into_inner(), true).await
}

pub async fn reject_lot(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<LotDecision>,
) -> Result<HttpResponse, AppError> {
    decide_lot(req, who, state, path.into_inner(), body.into_inner(), false).await
}

/// QA's signed decision on a lot (meaning `approved`: QA approves what the event records).
async fn decide_lot(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    lot_id: String,
    body: LotDecision,
    release: bool,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let lot = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let meaning = SignatureMeaning::Approved;
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    body.signature,
                    meaning,
                    &client,
                )?;
                materials::decide_lot(conn, &who.actor(), &lot_id, release, &body.reason, signer)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(LotView::from(lot)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterEquipment {
    id: String,
    kind: String,
    calibration_due: NaiveDate,
}

pub async fn register_equipment(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<RegisterEquipment>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let actor = who.actor();
    let row = state
        .db
        .run(move |conn| {
            materials::register_equipment(conn, &actor, &body.id, &body.kind, body.calibration_due)
        })
        .await?;
    Ok(HttpResponse::Created().json(EquipmentView::from(row)))
}

#[derive(serde::Serialize)]
pub struct EquipmentView {
    id: String,
    kind: String,
    calibration_due: String,
    last_calibrated: Option<String>,
}

impl From<rows::EquipmentRow> for EquipmentView {
    fn from(row: rows::EquipmentRow) -> Self {
        EquipmentView {
            id: row.equipment_id,
            kind: row.equipment_kind,
            calibration_due: row.calibration_due,
            last_calibrated: row.last_calibrated,
        }
    }
}

pub async fn list_equipment(
    _who: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .run(|conn| rows::list_equipment(conn).map_err(AppError::from))
        .await?;
    let equipment: Vec<EquipmentView> = rows.into_iter().map(EquipmentView::from).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "equipment": equipment })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    calibrated_on: NaiveDate,
    calibration_due: NaiveDate,
    signature: SignatureInput,
}

pub async fn calibrate(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Calibration>,
) -> Result<HttpResponse, AppError> {
    let client = client_address(&req);
    state.throttle.check(&client, who.username.as_str())?;
    let equipment_id = path.into_inner();
    let body = body.into_inner();
    let row = state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                let signer = signatures::verify_signer_for(
                    conn,
                    &state.policy,
                    &who,
                    body.signature,
                    SignatureMeaning::Approved,
                    &client,
                )?;
                let actor = who.actor();
                let (on, due) = (body.calibrated_on, body.calibration_due);
                materials::calibrate(conn, &actor, &equipment_id, on, due, signer)
            }
        })
        .await?;
    Ok(HttpResponse::Ok().json(EquipmentView::from(row)))
}
