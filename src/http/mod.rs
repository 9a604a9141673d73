//! HTTP: thin handlers that parse a request into domain types, call the domain and the ledger
//! on the blocking pool, and answer. One file per resource.

mod attachments;
pub(crate) mod audit;
mod auth;
mod batches;
pub(crate) mod checkpoints;
mod corrections;
mod custody;
mod deviations;
pub(crate) mod export;
mod extract;
mod health;
mod idempotency;
pub(crate) mod incidents;
pub(crate) mod ledger;
mod materials;
pub mod openapi;
mod paging;
pub(crate) mod printable;
mod problems;
mod proofs;
mod release;
mod signatures;
mod templates;
mod tiles;
mod user_views;
mod users;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{guard, middleware, web, HttpRequest, HttpResponse, ResponseError};
use serde_json::error::Category;

pub use crate::edge::AppState;

use crate::auth::Action;
use crate::error::AppError;

/// One API endpoint and the action it requires (`None`: open to anyone).
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub action: Option<Action>,
}

impl Endpoint {
    /// The path as OpenAPI writes it: `{name}` where the route has `{name:regex}` (a tail that
    /// may hold slashes, e.g. `{tail:.*}`).
    pub fn documented_path(&self) -> String {
        self.path
            .split('/')
            .map(|segment| match segment.split_once(':') {
                Some((name, _)) if segment.starts_with('{') => format!("{name}}}"),
                _ => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// Declares every endpoint once: the list that tests and docs walk, and the routes. Each
/// route is wrapped in the middleware that enforces its action before anything else runs,
/// so a handler cannot forget the check.
macro_rules! endpoints {
    ($($method:ident $path:literal, $action:expr => $handler:path;)*) => {
        pub const ENDPOINTS: &[Endpoint] = &[
            $(Endpoint { method: stringify!($method), path: $path, action: $action },)*
        ];

        fn register_endpoints(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        .guard(MethodOrHead(Method::$method))
                        // The last wrap runs first: authorization, then the idempotency check.
                        .wrap(middleware::from_fn(idempotency::middleware))
                        .wrap(middleware::from_fn(|req, next| extract::authorize($action, req, next)))
                        .route(web::route().to($handler)),
                );
            )*
        }
    };
}

endpoints! {
    GET "/api/v1/openapi.json", None => openapi::document;
    POST "/api/v1/auth/login", None => auth::login;
    POST "/api/v1/auth/refresh", Some(Action::ManageOwnAccount) => auth::refresh;
    POST "/api/v1/auth/password", Some(Action::ManageOwnAccount) => auth::change_password;
    POST "/api/v1/auth/logout", Some(Action::ManageOwnAccount) => auth::logout;
    GET "/api/v1/users/me", Some(Action::ManageOwnAccount) => users::me;
    GET "/api/v1/users", Some(Action::ListUsers) => users::list;
    POST "/api/v1/users", Some(Action::CreateUser) => users::create;
    POST "/api/v1/users/{username}/roles", Some(Action::ChangeUserRoles) => users::change_roles;
    POST "/api/v1/users/{username}/deactivate", Some(Action::DeactivateUser) => users::deactivate;
    POST "/api/v1/users/{username}/unlock", Some(Action::UnlockUser) => users::unlock;
    POST "/api/v1/users/{username}/password", Some(Action::ResetUserPassword) => users::reset_password;
    POST "/api/v1/users/me/acknowledge", Some(Action::ManageOwnAccount) => users::acknowledge;
    POST "/api/v1/users/{username}/approve", Some(Action::ApproveAccount) => users::approve;
    GET "/api/v1/ledger/entries", Some(Action::ReadLedger) => ledger::entries;
    GET "/api/v1/ledger/verify", Some(Action::VerifyLedger) => ledger::verify;
    GET "/api/v1/ledger/incidents", Some(Action::ReadIncidents) => incidents::list;
    POST "/api/v1/ledger/incidents", Some(Action::RecordIncident) => incidents::record;
    POST "/api/v1/ledger/incidents/confirm", Some(Action::RecordIncident) => incidents::confirm;
    POST "/api/v1/ledger/checkpoint", Some(Action::VerifyLedger) => checkpoints::sign;
    GET "/api/v1/ledger/checkpoint", Some(Action::VerifyLedger) => checkpoints::latest;
    GET "/api/v1/ledger/vkey", Some(Action::VerifyLedger) => checkpoints::vkey;
    GET "/api/v1/ledger/proof/inclusion", Some(Action::ReadLedger) => proofs::inclusion;
    GET "/api/v1/ledger/proof/consistency", Some(Action::ReadLedger) => proofs::consistency;
    GET "/api/v1/log/checkpoint", Some(Action::ReadLedger) => tiles::checkpoint;
    GET "/api/v1/log/tile/{tail:.*}", Some(Action::ReadLedger) => tiles::tile;
    GET "/api/v1/audit", Some(Action::ReadAuditTrail) => audit::trail;
    GET "/api/v1/audit.csv", Some(Action::ReadAuditTrail) => audit::trail_csv;
    GET "/api/v1/audit.json", Some(Action::ReadAuditTrail) => audit::trail_json;
    GET "/api/v1/ledger/entries/{seq}/signatures", Some(Action::ReadSignatures) => signatures::list;
    POST "/api/v1/ledger/entries/{seq}/signatures", Some(Action::SignRecord) => signatures::sign;
    GET "/api/v1/batches", Some(Action::ReadBatches) => batches::list;
    POST "/api/v1/batches", Some(Action::CreateBatch) => batches::create;
    GET "/api/v1/batches/{batch_number}", Some(Action::ReadBatches) => batches::get;
    POST "/api/v1/batches/{batch_number}/steps/{step_id}", Some(Action::RecordStep) => batches::record_step;
    POST "/api/v1/batches/{batch_number}/steps/{step_id}/verify", Some(Action::RecordStep) => batches::verify_step;
    POST "/api/v1/batches/{batch_number}/deviations", Some(Action::RaiseDeviation) => deviations::raise;
    POST "/api/v1/batches/{batch_number}/deviations/{deviation_id}/classify", Some(Action::SuperviseBatch) => deviations::classify;
    POST "/api/v1/batches/{batch_number}/deviations/{deviation_id}/close", Some(Action::SuperviseBatch) => deviations::close;
    POST "/api/v1/batches/{batch_number}/corrections", Some(Action::CorrectRecord) => corrections::correct;
    POST "/api/v1/batches/{batch_number}/corrections/{correction_id}/verify", Some(Action::RecordStep) => corrections::verify;
    POST "/api/v1/batches/{batch_number}/corrections/{correction_id}/approve", Some(Action::SuperviseBatch) => corrections::approve;
    POST "/api/v1/batches/{batch_number}/hold", Some(Action::SuperviseBatch) => deviations::hold;
    POST "/api/v1/batches/{batch_number}/resume", Some(Action::SuperviseBatch) => deviations::resume;
    POST "/api/v1/batches/{batch_number}/terminate", Some(Action::SuperviseBatch) => deviations::terminate;
    POST "/api/v1/batches/{batch_number}/qc/{test_id}", Some(Action::RecordQcResult) => release::record_qc_result;
    POST "/api/v1/batches/{batch_number}/qc/{test_id}/verify", Some(Action::RecordQcResult) => release::verify_qc_result;
    GET "/api/v1/batches/{batch_number}/review", Some(Action::ReviewBatch) => release::review;
    GET "/api/v1/batches/{batch_number}/export", Some(Action::ExportBatch) => export::bundle;
    GET "/api/v1/batches/{batch_number}/record.html", Some(Action::ExportBatch) => printable::html;
    GET "/api/v1/batches/{batch_number}/record.pdf", Some(Action::ExportBatch) => printable::pdf;
    POST "/api/v1/batches/{batch_number}/physician-request", Some(Action::RequestExceptionalRelease) => release::physician_request;
    POST "/api/v1/batches/{batch_number}/release", Some(Action::CertifyBatch) => release::release;
    POST "/api/v1/batches/{batch_number}/shipments", Some(Action::ShipBatch) => custody::dispatch;
    POST "/api/v1/batches/{batch_number}/shipments/{shipment_id}/receive", Some(Action::TreatPatient) => custody::receive;
    POST "/api/v1/batches/{batch_number}/bedside-check", Some(Action::TreatPatient) => custody::bedside_check;
    POST "/api/v1/batches/{batch_number}/infusion", Some(Action::TreatPatient) => custody::infuse;
    POST "/api/v1/batches/{batch_number}/follow-up", Some(Action::TreatPatient) => custody::follow_up;
    GET "/api/v1/templates", Some(Action::ReadTemplates) => templates::list;
    POST "/api/v1/templates", Some(Action::ManageTemplates) => templates::import;
    GET "/api/v1/templates/{code}/versions/{version}", Some(Action::ReadTemplates) => templates::source;
    POST "/api/v1/templates/{code}/versions/{version}/approve", Some(Action::ManageTemplates) => templates::approve;
    POST "/api/v1/attachments", Some(Action::UploadAttachment) => attachments::upload;
    GET "/api/v1/attachments/{sha256}", Some(Action::ReadMaterials) => attachments::download;
    GET "/api/v1/lots", Some(Action::ReadMaterials) => materials::list_lots;
    POST "/api/v1/lots", Some(Action::ManageMaterials) => materials::register_lot;
    POST "/api/v1/lots/{lot_id}/release", Some(Action::ManageMaterials) => materials::release_lot;
    POST "/api/v1/lots/{lot_id}/reject", Some(Action::ManageMaterials) => materials::reject_lot;
    GET "/api/v1/lots/{lot_id}/where-used", Some(Action::TraceLot) => materials::where_used;
    GET "/api/v1/equipment", Some(Action::ReadMaterials) => materials::list_equipment;
    POST "/api/v1/equipment", Some(Action::ManageMaterials) => materials::register_equipment;
    POST "/api/v1/equipment/{equipment_id}/calibration", Some(Action::ManageMaterials) => materials::calibrate;
}

pub fn configure(max_body_bytes: usize) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(json_config(max_body_bytes))
            .app_data(web::PayloadConfig::new(max_body_bytes))
            .app_data(web::QueryConfig::default().error_handler(|e, _| bad_request(e)))
            .app_data(web::PathConfig::default().error_handler(|e, _| bad_request(e)))
            .route("/healthz", get_or_head().to(health::healthz))
            .route("/readyz", get_or_head().to(health::readyz));
        register_endpoints(cfg);
        cfg.default_service(web::to(not_found));
    }
}

/// Matches its method, and HEAD where that is GET: HTTP requires HEAD wherever GET is served
/// (RFC 9110 §9.1). The handler runs as for GET, with the same authorization, and actix-http
/// sends the response head without its body.
struct MethodOrHead(Method);

impl guard::Guard for MethodOrHead {
    fn check(&self, ctx: &guard::GuardContext<'_>) -> bool {
        let method = &ctx.head().method;
        *method == self.0 || (self.0 == Method::GET && *method == Method::HEAD)
    }
}

fn get_or_head() -> actix_web::Route {
    web::route().guard(MethodOrHead(Method::GET))
}

/// Longest request target (path and query) the service reads. actix-http itself only caps the
/// whole request head (128 KiB, answered with a bare 431); anything this service serves fits
/// in far less.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Refuses an over-long request target with 414 before routing, answered as a response so
/// that the outer middleware (security headers, request id) still applies.
pub async fn limit_uri_length(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let length = req
        .uri()
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if length > MAX_URI_BYTES {
        return Ok(req.into_response(AppError::UriTooLong(MAX_URI_BYTES).error_response()));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .error_handler(|e, _| json_error(e))
}

fn json_error(error: JsonPayloadError) -> actix_web::Error {
    match error {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge.into()
        }
        JsonPayloadError::Deserialize(e) => AppError::BadRequest(describe_json_error(&e)).into(),
        other => bad_request(other),
    }
}

/// serde's messages name missing and unknown fields, which helps; for wrong types and values
/// they quote the value, which may be a password, so those are described without it.
fn describe_json_error(error: &serde_json::Error) -> String {
    let place = format!("line {} column {}", error.line(), error.column());
    match error.classify() {
        Category::Syntax => format!("the body is not valid JSON ({place})"),
        Category::Eof => "the body ends before the JSON does".to_owned(),
        Category::Io => "the body could not be read".to_owned(),
        Category::Data => {
            let message = error.to_string();
            let names_a_field = ["missing field", "unknown field", "unknown variant"]
                .iter()
                .any(|prefix| message.starts_with(prefix));
            if names_a_field {
                format!("the request could not be read: {message}")
            } else {
                format!("a value has the wrong type or format ({place})")
            }
        }
    }
}

fn bad_request(e: impl std::fmt::Display) -> actix_web::Error {
    AppError::BadRequest(format!("the request could not be read: {e}")).into()
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let mut allowed: Vec<&str> = ENDPOINTS
        .iter()
        .filter(|e| path_matches(e.path, req.path()))
        .flat_map(|e| match e.method {
            "GET" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .collect();
    if !allowed.is_empty() {
        allowed.sort_unstable();
        allowed.dedup();
        return Err(AppError::MethodNotAllowed {
            method: req.method().to_string(),
            allow: allowed.join(", "),
        });
    }
    Err(AppError::NotFound(format!(
        "there is nothing at {}",
        req.path()
    )))
}

/// Matches a concrete path against a route pattern with `{name}` segments and perhaps a
/// `{name:.*}` tail, which matches the rest of the path.
fn path_matches(pattern: &str, path: &str) -> bool {
    if let Some((head, tail)) = pattern.rsplit_once('/') {
        if tail.starts_with('{') && tail.ends_with(":.*}") {
            let n = head.split('/').count();
            let mut parts = path.splitn(n + 1, '/');
            let path_head: Vec<&str> = parts.by_ref().take(n).collect();
            return parts.next().is_some() && path_matches(head, &path_head.join("/"));
        }
    }
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
}
