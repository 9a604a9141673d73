//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` annotations and
//! the DTOs' `ToSchema` derives, and served at `GET /api/v1/openapi.json`.
//!
//! To document a new endpoint: annotate its handler with `#[utoipa::path(...)]` (method and
//! path exactly as in `endpoints!`, responses with the shared problem responses below, and
//! `security(("bearer" = []))` when it has an action), then list the handler in `paths(...)`
//! here. `tests/api/openapi.rs` fails until every routed endpoint is documented.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr, Required};
use utoipa::{Modify, OpenApi};

use super::problems::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed,
    TooManyAttempts, Unauthorized, Unprocessable,
};
use super::{attachments, auth, batches, corrections, deviations, health, ledger, materials};
use super::{audit, export, incidents, printable, signatures};
use super::{
    checkpoints, custody, idempotency, proofs, release, templates, tiles, users, ENDPOINTS,
};
use crate::auth::authorization::allowed_roles;
use crate::auth::Action;
use crate::error::Problem;
const DESCRIPTION: &str = "GMP electronic batch record and manufacturing tracker for \
autologous CAR-T cell therapy.\n\n\
Authenticate with `POST /api/v1/auth/login` and send the access token as \
`Authorization: Bearer <token>`. Each operation's description names the authorization \
action it requires and the roles that hold it.\n\n\
Every refusal and failure is answered as an RFC 7807 problem (`application/problem+json`, \
schema `Problem`) with a stable `code`.";

#[derive(OpenApi)]
#[openapi(
    info(title = "cartrec", version = env!("CARGO_PKG_VERSION"), description = DESCRIPTION),
    paths(
        auth::login,
        auth::refresh,
        auth::change_password,
        auth::logout,
        users::me,
        users::list,
        users::create,
        users::change_roles,
        users::deactivate,
        users::unlock,
        users::reset_password,
        users::acknowledge,
        users::approve,
        ledger::entries,
        ledger::verify,
        incidents::list,
        incidents::record,
        incidents::confirm,
        checkpoints::sign,
        checkpoints::latest,
        checkpoints::vkey,
        proofs::inclusion,
        proofs::consistency,
        tiles::checkpoint,
        tiles::tile,
        audit::trail,
        export::bundle,
        audit::trail_csv,
        audit::trail_json,
        signatures::list,
        signatures::sign,
        batches::list,
        batches::create,
        batches::get,
        batches::record_step,
        batches::verify_step,
        deviations::raise,
        deviations::classify,
        deviations::close,
        deviations::hold,
        deviations::resume,
        deviations::terminate,
        corrections::correct,
        corrections::verify,
        corrections::approve,
        release::record_qc_result,
        release::verify_qc_result,
        release::review,
        printable::html,
        printable::pdf,
        release::physician_request,
        release::release,
        custody::dispatch,
        custody::receive,
        custody::bedside_check,
        custody::infuse,
        custody::follow_up,
        templates::list,
        templates::import,
        templates::source,
        templates::approve,
        attachments::upload,
        attachments::download,
        materials::list_lots,
        materials::register_lot,
        materials::release_lot,
        materials::reject_lot,
        materials::where_used,
        materials::list_equipment,
        materials::register_equipment,
        materials::calibrate,
        health::healthz,
        health::readyz,
        document,
    ),
    // The problem responses refer to `Problem`, which no operation names itself.
    components(schemas(Problem), responses(
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        Unprocessable,
        TooManyAttempts,
    )),
    modifiers(&BearerScheme, &WhoMayCall, &PostsMayBeBad),
    tags(
        (name = "auth", description = "Log in, refresh, change one's password, log out"),
        (name = "users", description = "Accounts, roles and their approval"),
        (name = "ledger", description = "The append-only, hash-chained ledger"),
        (name = "log", description = "The ledger as C2SP tlog-tiles resources, for tlog tooling"),
        (name = "signatures", description = "Electronic signatures on ledger entries"),
        (name = "batches", description = "Batch records: creation, steps, verification"),
        (name = "release", description = "QC results, the QP's review by exception and decision, the physician's request"),
        (name = "custody", description = "Shipment, receipt, the bedside identity check, infusion and follow-up"),
        (name = "templates", description = "Process templates: import and QA approval"),
        (name = "attachments", description = "Files stored by their SHA-256"),
        (name = "materials", description = "Material lots and equipment"),
        (name = "health", description = "Liveness and readiness probes"),
        (name = "openapi", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The name the annotations' `security(("bearer" = []))` refers to.
pub const BEARER: &str = "bearer";

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "The access token from `POST /api/v1/auth/login` or `/api/v1/auth/refresh`",
            ))
            .build();
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// Appends who may call each operation, taken from `ENDPOINTS` and the authorization table
/// rather than written by hand, so the document cannot claim a rule the server does not apply;
/// and the `Idempotency-Key` header where the idempotency middleware honours it.
struct WhoMayCall;

impl Modify for WhoMayCall {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for endpoint in ENDPOINTS {
            let Some(item) = openapi.paths.paths.get_mut(&endpoint.documented_path()) else {
                continue;
            };
            let Some(operation) = operation_mut(item, endpoint.method) else {
                continue;
            };
            if endpoint.method == "POST" && idempotency::kept_for(endpoint.path) {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key());
            }
            let rule = who_may_call(endpoint.action);
            operation.description = Some(match operation.description.take() {
                Some(text) if !text.is_empty() => format!("{text}\n\n{rule}"),
                _ => rule,
            });
        }
    }
}

/// Documents 400 on every POST that does not already: the idempotency middleware refuses a
/// malformed `Idempotency-Key` and the JSON extractor an unreadable body before any handler
/// runs, so each POST can answer it whatever its annotation lists (schemathesis, ST103).
struct PostsMayBeBad;

impl Modify for PostsMayBeBad {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let Some(operation) = item.post.as_mut() else {
                continue;
            };
            operation
                .responses
                .responses
                .entry("400".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("BadRequest")));
        }
    }
}

fn idempotency_key() -> Parameter {
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "1 to 255 visible ASCII characters. A retry with the same key and the same request \
             gets the first answer (`Idempotent-Replayed: true`) and records nothing again; a \
             copy sent while the first runs waits for it; the same key with another request is \
             refused (422).",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255)),
        ))
        .build()
}

fn operation_mut<'a>(item: &'a mut PathItem, method: &str) -> Option<&'a mut Operation> {
    match method {
        "GET" => item.get.as_mut(),
        "POST" => item.post.as_mut(),
        "PUT" => item.put.as_mut(),
        "PATCH" => item.patch.as_mut(),
        "DELETE" => item.delete.as_mut(),
        _ => None,
    }
}

fn who_may_call(action: Option<Action>) -> String {
    let Some(action) = action else {
        return "**Who may call:** anyone; no token needed.".to_owned();
    };
    // Mirrors `authorization::is_allowed`: one's own account needs no role.
    if action == Action::ManageOwnAccount {
        return format!("**Who may call:** action `{action}`, every signed-in account.");
    }
    let roles: Vec<String> = allowed_roles(action)
        .iter()
        .map(|role| format!("`{role}`"))
        .collect();
    format!(
        "**Who may call:** action `{action}`, held by {}.",
        roles.join(", ")
    )
}

/// Built once: the document depends only on the code.
static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// This OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "openapi",
    operation_id = "openapi_document",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)),
)]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(&*DOCUMENT)
}
