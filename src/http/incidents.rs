//! Ledger incidents: how a read-only instance is put back to work (`crate::services::incidents`).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problems::{
    BadRequest, Conflict, Forbidden, TooManyAttempts, Unauthorized, Unprocessable,
};
use super::AppState;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::incident::Incident;
use crate::edge::verified_then_signed;
use crate::error::AppError;
use crate::ledger::Distrust;
use crate::services::accounts::Principal;

/// Why this instance refuses writes, and whether its ledger verifies again.
#[derive(Serialize, ToSchema)]
pub struct DistrustView {
    /// The first bad entry (or where the missing ones begin).
    seq: i64,
    reason: String,
    /// Since when (server clock, RFC 3339).
    since: String,
    /// When the ledger last verified in full since (the incident may then be recorded); null
    /// while it does not.
    verified_at: Option<String>,
}

impl From<Distrust> for DistrustView {
    fn from(d: Distrust) -> Self {
        DistrustView {
            seq: d.seq,
            reason: d.reason,
            since: d.since,
            verified_at: d.verified_at,
        }
    }
}

/// One ledger incident as recorded.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    number: u32,
    /// What the instance found: the first bad entry and why.
    first_bad_seq: i64,
    reason: String,
    distrusted_since: String,
    cause: String,
    actions: String,
    recorded_by: String,
    recorded_at: String,
    /// The `seq` of QA's record, which both signatures sign.
    recorded_seq: i64,
    confirmed_by: Option<String>,
    confirmed_at: Option<String>,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> Self {
        IncidentView {
            number: i.number,
            first_bad_seq: i.finding.first_bad_seq,
            reason: i.finding.reason,
            distrusted_since: i.finding.distrusted_since,
            cause: i.cause,
            actions: i.actions,
            recorded_by: i.recorded_by,
            recorded_at: i.recorded_at,
            recorded_seq: i.recorded_seq,
            confirmed_by: i.confirmed_by,
            confirmed_at: i.confirmed_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IncidentsAnswer {
    /// Set while this instance refuses writes.
    read_only: Option<DistrustView>,
    /// The incident of the current distrust, once QA has recorded it.
    open: Option<IncidentView>,
    /// Every incident of the site, oldest first.
    incidents: Vec<IncidentView>,
}

/// This instance's trust in its ledger and every ledger incident recorded.
#[utoipa::path(
    get,
    path = "/api/v1/ledger/incidents",
    tag = "ledger",
    operation_id = "list_ledger_incidents",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The instance's trust and the incidents", body = IncidentsAnswer),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    ),
)]
pub async fn list(_who: Principal, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let status = state.db.run(crate::services::incidents::status).await?;
    let open = status.open().cloned().map(IncidentView::from);
    Ok(HttpResponse::Ok().json(IncidentsAnswer {
        read_only: status.distrust.map(DistrustView::from),
        open,
        incidents: status
            .incidents
            .0
            .into_iter()
            .map(IncidentView::from)
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordIncident {
    /// What QA found the cause to be: one line, 1 to 2000 characters.
    cause: String,
    /// What was done (the backup restored, the row put right): one line, 1 to 2000 characters.
    actions: String,
    /// Meaning `approved`.
    signature: SignatureInput,
}

/// QA records the incident of this instance's distrust, signed `approved`: accepted only once
/// the whole ledger verifies again, which this request checks first.
#[utoipa::path(
    post,
    path = "/api/v1/ledger/incidents",
    tag = "ledger",
    operation_id = "record_ledger_incident",
    security(("bearer" = [])),
    request_body = RecordIncident,
    responses(
        (status = 201, description = "Recorded; an administrator confirms it", body = IncidentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn record(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<RecordIncident>,
) -> Result<HttpResponse, AppError> {
    let RecordIncident {
        cause,
        actions,
        signature,
    } = body.into_inner();
    let incident = verified_then_signed(
        &req,
        &state,
        who,
        (signature, SignatureMeaning::Approved),
        move |conn, who, signer| {
            crate::services::incidents::record(conn, who, signer, (&cause, &actions))
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(IncidentView::from(incident)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmIncident {
    /// Meaning `verified`: a second person, over QA's record.
    signature: SignatureInput,
}

/// An administrator other than its recorder confirms the incident, signed `verified` over QA's
/// record, once the whole ledger verifies again; this instance then writes again.
#[utoipa::path(
    post,
    path = "/api/v1/ledger/incidents/confirm",
    tag = "ledger",
    operation_id = "confirm_ledger_incident",
    security(("bearer" = [])),
    request_body = ConfirmIncident,
    responses(
        (status = 200, description = "Confirmed; this instance writes again", body = IncidentView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyAttempts),
    ),
)]
pub async fn confirm(
    req: HttpRequest,
    who: Principal,
    state: web::Data<AppState>,
    body: web::Json<ConfirmIncident>,
) -> Result<HttpResponse, AppError> {
    let incident = verified_then_signed(
        &req,
        &state,
        who,
        (body.into_inner().signature, SignatureMeaning::Verified),
        crate::services::incidents::confirm,
    )
    .await?;
    Ok(HttpResponse::Ok().json(IncidentView::from(incident)))
}
