//! From the QP's certification to the patient: shipments and their receipt, the two-person
//! identity check at the bedside, the infusion and the follow-up visits.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, TooManyAttempts, Unauthorized,
    Unprocessable,
};
use super::release::signed_write;
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::batch::custody::{BedsideRole, Dispatch, Infusion, Receipt, Visit};
use crate::domain::batch::AdverseEvent;
use crate::domain::DomainError;
use crate::error::AppError;
use crate::services::accounts::Principal;
use crate::services::batches::custody::{self, Write};
use crate::services::batches::BatchView;

/// A decimal as its text: a JSON string as written, or a JSON number as serde reads it.
fn decimal_text(value: &Value, what: &str) -> Result<String, AppError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number.to_string()),
        _ => Err(AppError::from(crate::error::ServiceError::from(
            DomainError::new(
                "invalid_number",
                format!("{what}: a decimal number, preferably as a string (e.g. \"-160.5\")"),
            ),
        ))),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentBody {
    /// The dry shipper's id.
    shipper_id: String,
    container_id: String,
    /// The temperature logger travelling with the product.
    logger_id: String,
    dispatched_at: DateTime<Utc>,
    signature: SignatureInput,
}

/// A certified batch leaves for the treating site, signed by the operator (`performed`).
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/shipments",
    tag = "custody",
    operation_id = "dispatch_shipment",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = ShipmentBody,
    responses(
        (status = 201, description = "Dispatched; the batch record (`shipments`)", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn dispatch(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<ShipmentBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let input = Dispatch {
        shipper_id: body.shipper_id,
        container_id: body.container_id,
        logger_id: body.logger_id,
        dispatched_at: body.dispatched_at,
    };
    let signature = (body.signature, SignatureMeaning::Performed);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, if_match| {
            let write = Write {
                who,
                batch_number: &batch,
                if_match,
                signer,
            };
            custody::dispatch(conn, write, input)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptBody {
    received_at: DateTime<Utc>,
    /// The logger's lowest reading in transit, °C (a decimal string or number).
    #[schema(value_type = String, example = "-185.2")]
    min_temperature_c: Value,
    /// The logger's highest reading in transit, °C.
    #[schema(value_type = String, example = "-162.0")]
    max_temperature_c: Value,
    container_intact: bool,
    signature: SignatureInput,
}

/// The ward receives a shipment (`performed`). A logger maximum above the template's limit or
/// a damaged container raises a deviation that blocks infusion until QA closes it.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/shipments/{shipment_id}/receive",
    tag = "custody",
    operation_id = "receive_shipment",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("shipment_id" = u32, Path, description = "The shipment's number in the batch"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = ReceiptBody,
    responses(
        (status = 200, description = "Received; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn receive(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
    body: web::Json<ReceiptBody>,
) -> Result<HttpResponse, AppError> {
    let (number, shipment_id) = path.into_inner();
    let body = body.into_inner();
    let input = Receipt {
        received_at: body.received_at,
        min_temperature_c: decimal_text(&body.min_temperature_c, "min_temperature_c")?,
        max_temperature_c: decimal_text(&body.max_temperature_c, "max_temperature_c")?,
        container_intact: body.container_intact,
    };
    let signature = (body.signature, SignatureMeaning::Performed);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::OK,
        move |conn, who, signer, if_match| {
            let write = Write {
                who,
                batch_number: &batch,
                if_match,
                signer,
            };
            custody::receive(conn, write, shipment_id, input)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BedsideBody {
    /// The identifier scanned or typed from the product bag's label.
    product_coi: String,
    /// The identifier scanned or typed from the patient's wristband.
    patient_coi: String,
    /// `performed` by the first clinician, `witnessed` by a second one.
    signature: SignatureInput,
}

/// One clinician's reading of the product label and the patient's wristband at the bedside:
/// the first signs `performed`, a second clinician `witnessed`. An identifier that is not the
/// batch's is refused, recorded as a security event, and voids the check.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/bedside-check",
    tag = "custody",
    operation_id = "bedside_check",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = BedsideBody,
    responses(
        (status = 201, description = "Checked; the batch record (`bedside_checks`)", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn bedside_check(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<BedsideBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let meaning = body.signature.meaning;
    let role = match meaning {
        SignatureMeaning::Performed => BedsideRole::Checker,
        SignatureMeaning::Witnessed => BedsideRole::Witness,
        other => {
            return Err(AppError::from(crate::error::ServiceError::from(
                DomainError::new(
                    "wrong_meaning",
                    format!(
                        "a bedside check is signed `performed` by the first clinician and \
                         `witnessed` by the second, not '{}'",
                        other.as_str()
                    ),
                ),
            )))
        }
    };
    let batch = number.clone();
    let signature = (body.signature, meaning);
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, if_match| {
            let write = Write {
                who,
                batch_number: &batch,
                if_match,
                signer,
            };
            let identifiers = (body.product_coi.as_str(), body.patient_coi.as_str());
            custody::bedside_check(conn, write, identifiers, role)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InfusionBody {
    thaw_started_at: DateTime<Utc>,
    infusion_started_at: DateTime<Utc>,
    infusion_ended_at: DateTime<Utc>,
    /// Bags infused.
    bags: u32,
    /// CAR+ T cells per kg body weight, as a decimal (e.g. "1.0e6").
    #[schema(value_type = String, example = "1.0e6")]
    dose_car_t_per_kg: Value,
    premedication: String,
    /// `none`, or what was seen (e.g. "CRS grade 1").
    immediate_reactions: String,
    signature: SignatureInput,
}

/// The infusion (`performed`), after a passed two-person bedside check with no deviation open:
/// the batch becomes `infused` and takes nothing more but follow-up.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/infusion",
    tag = "custody",
    operation_id = "record_infusion",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = InfusionBody,
    responses(
        (status = 201, description = "Infused; the batch record", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn infuse(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<InfusionBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let input = Infusion {
        thaw_started_at: body.thaw_started_at,
        infusion_started_at: body.infusion_started_at,
        infusion_ended_at: body.infusion_ended_at,
        bags: body.bags,
        dose_car_t_per_kg: decimal_text(&body.dose_car_t_per_kg, "dose_car_t_per_kg")?,
        premedication: body.premedication,
        immediate_reactions: body.immediate_reactions,
    };
    let signature = (body.signature, SignatureMeaning::Performed);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, if_match| {
            let write = Write {
                who,
                batch_number: &batch,
                if_match,
                signer,
            };
            custody::infuse(conn, write, input)
        },
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    visit_date: NaiveDate,
    disease_status: String,
    immunosuppression: String,
    adverse_events: Vec<AdverseEvent>,
    secondary_malignancy: bool,
    notes: Option<String>,
    signature: SignatureInput,
}

/// A follow-up visit (`performed`), up to 15 years after infusion.
#[utoipa::path(
    post,
    path = "/api/v1/batches/{batch_number}/follow-up",
    tag = "custody",
    operation_id = "record_follow_up",
    security(("bearer" = [])),
    params(("batch_number" = String, Path, description = "The batch number"), ("If-Match" = Option<String>, Header, description = "The `ETag` of the batch as last read")),
    request_body = FollowUpBody,
    responses(
        (status = 201, description = "Recorded; the batch record (`follow_ups`)", body = BatchView, headers(("ETag" = String, description = "The batch's position, for `If-Match`"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn follow_up(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<FollowUpBody>,
) -> Result<HttpResponse, AppError> {
    let number = path.into_inner();
    let body = body.into_inner();
    let input = Visit {
        visit_date: body.visit_date,
        disease_status: body.disease_status,
        immunosuppression: body.immunosuppression,
        adverse_events: body.adverse_events,
        secondary_malignancy: body.secondary_malignancy,
        notes: body.notes,
    };
    let signature = (body.signature, SignatureMeaning::Performed);
    let batch = number.clone();
    signed_write(
        &req,
        who,
        &state,
        signature,
        StatusCode::CREATED,
        move |conn, who, signer, if_match| {
            let write = Write {
                who,
                batch_number: &batch,
                if_match,
                signer,
            };
            custody::follow_up(conn, write, input)
        },
    )
    .await
}
