use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, TooManyAttempts, Unauthorized, Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::edge::signed;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::materials::{self, NewLot};
use crate::services::projections::materials as rows;
use crate::services::recall;

#[derive(Deserialize, ToSchema)]
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

/// Registers a material lot, in quarantine until QA releases it.
#[utoipa::path(
    post,
    path = "/api/v1/lots",
    tag = "materials",
    operation_id = "register_lot",
    security(("bearer" = [])),
    request_body = RegisterLot,
    responses(
        (status = 201, description = "Registered, in quarantine", body = LotView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
pub async fn register_lot(
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<RegisterLot>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let new = NewLot {
        material: body.material,
        lot_number: body.lot_number,
        supplier: body.supplier,
        expiry: body.expiry,
        certificate: body.certificate,
    };
    let actor = who.actor();
    let lot = state
        .db
        .run(move |conn| materials::register_lot(conn, &actor, new))
        .await?;
    Ok(HttpResponse::Created().json(LotView::from(lot)))
}

#[derive(Serialize, ToSchema)]
pub struct LotView {
    lot_id: String,
    material: String,
    lot_number: String,
    supplier: String,
    /// `YYYY-MM-DD`.
    expiry: String,
    certificate: Option<String>,
    /// `quarantine`, `released` or `rejected`.
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct LotList {
    lots: Vec<LotView>,
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// Only lots of this material.
    material: Option<String>,
}

/// Every lot, or those of one material.
#[utoipa::path(
    get,
    path = "/api/v1/lots",
    tag = "materials",
    operation_id = "list_lots",
    security(("bearer" = [])),
    params(LotQuery),
    responses(
        (status = 200, description = "The lots", body = LotList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
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
    Ok(HttpResponse::Ok().json(LotList { lots }))
}

#[derive(Serialize, ToSchema)]
pub struct WhereUsed {
    lot_id: String,
    material: String,
    /// `quarantine`, `released` or `rejected`.
    status: String,
    /// Every batch whose steps named the lot, by batch number; empty when none did.
    batches: Vec<BatchUsingLot>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchUsingLot {
    batch_number: String,
    patient_code: String,
    /// The chain-of-identity identifier.
    coi: String,
    /// The batch's state, as the batch list shows it.
    state: String,
    /// Each field that names the lot, in ledger order.
    uses: Vec<LotUse>,
}

#[derive(Serialize, ToSchema)]
pub struct LotUse {
    step_id: String,
    /// Which record of the step (1 unless the step repeats).
    record: i32,
    field_id: String,
    /// The ledger entry that names the lot: the step record, or a correction of its value.
    seq: i64,
}

impl From<recall::WhereUsed> for WhereUsed {
    fn from(found: recall::WhereUsed) -> Self {
        let batches = found
            .batches
            .into_iter()
            .map(|b| BatchUsingLot {
                batch_number: b.batch.batch_number,
                patient_code: b.batch.patient_code,
                coi: b.batch.coi,
                state: b.batch.state,
                uses: b
                    .uses
                    .into_iter()
                    .map(|u| LotUse {
                        step_id: u.step_id,
                        record: u.record,
                        field_id: u.field_id,
                        seq: u.seq,
                    })
                    .collect(),
            })
            .collect();
        WhereUsed {
            lot_id: found.lot.lot_id,
            material: found.lot.material,
            status: found.lot.status,
            batches,
        }
    }
}

/// Recall: every batch (and its patient) whose steps used the lot, with the batch's state and
/// each field that names the lot.
#[utoipa::path(
    get,
    path = "/api/v1/lots/{lot_id}/where-used",
    tag = "materials",
    operation_id = "lot_where_used",
    security(("bearer" = [])),
    params(("lot_id" = String, Path, description = "The lot's identifier, as registration answered it")),
    responses(
        (status = 200, description = "The batches that used the lot", body = WhereUsed),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    ),
)]
pub async fn where_used(
    _who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lot_id = path.into_inner();
    let found = state
        .db
        .run(move |conn| recall::where_used(conn, &lot_id))
        .await?;
    Ok(HttpResponse::Ok().json(WhereUsed::from(found)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LotDecision {
    /// Why; may be empty for a release.
    #[serde(default)]
    reason: String,
    signature: SignatureInput,
}

/// QA releases a quarantined lot for use, signed with meaning `approved`.
#[utoipa::path(
    post,
    path = "/api/v1/lots/{lot_id}/release",
    tag = "materials",
    operation_id = "release_lot",
    security(("bearer" = [])),
    params(("lot_id" = String, Path, description = "The lot's identifier, as registration answered it")),
    request_body = LotDecision,
    responses(
        (status = 200, description = "Released", body = LotView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn release_lot(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<LotDecision>,
) -> Result<HttpResponse, AppError> {
    decide_lot(req, who, state, path.into_inner(), body.into_inner(), true).await
}

/// QA rejects a lot, signed with meaning `approved`.
#[utoipa::path(
    post,
    path = "/api/v1/lots/{lot_id}/reject",
    tag = "materials",
    operation_id = "reject_lot",
    security(("bearer" = [])),
    params(("lot_id" = String, Path, description = "The lot's identifier, as registration answered it")),
    request_body = LotDecision,
    responses(
        (status = 200, description = "Rejected", body = LotView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
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
    let meaning = SignatureMeaning::Approved;
    let lot = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            materials::decide_lot(conn, &who.actor(), &lot_id, release, &body.reason, signer)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(LotView::from(lot)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterEquipment {
    id: String,
    kind: String,
    calibration_due: NaiveDate,
}

/// Registers a piece of equipment with the date its calibration is due.
#[utoipa::path(
    post,
    path = "/api/v1/equipment",
    tag = "materials",
    operation_id = "register_equipment",
    security(("bearer" = [])),
    request_body = RegisterEquipment,
    responses(
        (status = 201, description = "Registered", body = EquipmentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ),
)]
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

#[derive(Serialize, ToSchema)]
pub struct EquipmentView {
    id: String,
    kind: String,
    /// `YYYY-MM-DD`.
    calibration_due: String,
    /// `YYYY-MM-DD`.
    last_calibrated: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EquipmentList {
    equipment: Vec<EquipmentView>,
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

/// Every piece of equipment.
#[utoipa::path(
    get,
    path = "/api/v1/equipment",
    tag = "materials",
    operation_id = "list_equipment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The equipment", body = EquipmentList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn list_equipment(
    _who: Principal,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let rows = state
        .db
        .run(|conn| rows::list_equipment(conn).map_err(AppError::from))
        .await?;
    let equipment: Vec<EquipmentView> = rows.into_iter().map(EquipmentView::from).collect();
    Ok(HttpResponse::Ok().json(EquipmentList { equipment }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    calibrated_on: NaiveDate,
    calibration_due: NaiveDate,
    signature: SignatureInput,
}

/// Records a calibration and the next due date, signed with meaning `approved`.
#[utoipa::path(
    post,
    path = "/api/v1/equipment/{equipment_id}/calibration",
    tag = "materials",
    operation_id = "record_calibration",
    security(("bearer" = [])),
    params(("equipment_id" = String, Path, description = "The equipment's identifier")),
    request_body = Calibration,
    responses(
        (status = 200, description = "Calibrated", body = EquipmentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn calibrate(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Calibration>,
) -> Result<HttpResponse, AppError> {
    let equipment_id = path.into_inner();
    let body = body.into_inner();
    let (on, due) = (body.calibrated_on, body.calibration_due);
    let meaning = SignatureMeaning::Approved;
    let row = signed(
        &req,
        &state,
        who,
        body.signature,
        meaning,
        move |conn, who, signer| {
            materials::calibrate(conn, &who.actor(), &equipment_id, on, due, signer)
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(EquipmentView::from(row)))
}
