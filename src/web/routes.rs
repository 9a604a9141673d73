//! The UI's routes in one table, as the API's `endpoints!` is the API's: each page with what a
//! viewer must be allowed to open it. Registering a page and declaring who may open it are one
//! line, so no page can forget its check: [`admit`] resolves the viewer and checks the action
//! before the page's handler runs, and a posted form's token is checked as the form is read
//! ([`super::session::Posted`]). The authorization tests walk [`PAGES`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{self, Next};
use actix_web::{guard, web, HttpMessage};

use super::pages::{
    approvals, auth, batch_list, batches, correction_confirm, corrections, course,
    deviation_decisions, deviations, equipment, follow_up, home, incident, infusion, ledger, lots,
    qc, release, steps, templates, users, ward,
};
use super::session::Viewer;
use super::{assets, WebError};
use crate::auth::Action;

/// Who may open a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, and no session is read: the stylesheet, the login form and its post (which
    /// checks the token bound to the pre-login cookie).
    Anyone,
    /// Anyone, and the viewer is resolved if signed in (the language switch, whose form
    /// carries the session's token when there is one).
    Public,
    /// Anyone signed in (their own password, signing out, the home page).
    SignedIn,
    /// Whoever the authorization table allows this action.
    Allowed(Action),
}

/// One page of the UI: its method, its path (as actix matches it) and who may open it.
pub struct Page {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Resolves the viewer from the session cookie and refuses the page before its handler runs
/// when the viewer may not open it; the viewer is left in the request for the handler.
async fn admit(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match admitted(access, &req).await {
        // As a response that carries its error, which `localize_errors` renders in the
        // viewer's language as it does a handler's.
        Err(refused) => Ok(req.error_response(refused)),
        Ok(viewer) => {
            if let Some(viewer) = viewer {
                req.extensions_mut().insert(viewer);
            }
            Ok(next.call(req).await?.map_into_boxed_body())
        }
    }
}

/// The viewer a page may be shown to (none on a public page nobody is signed in to), or why
/// not.
async fn admitted(access: Access, req: &ServiceRequest) -> Result<Option<Viewer>, WebError> {
    if access == Access::Anyone {
        return Ok(None);
    }
    match (access, Viewer::resolve(req.request()).await) {
        (Access::Public, Err(WebError::SignIn)) => Ok(None),
        (_, Err(refused)) => Err(refused),
        (access, Ok(viewer)) => {
            if let Access::Allowed(action) = access {
                // The API's authorization table, as the API's own check reads it.
                viewer
                    .who
                    .authorize(action)
                    .map_err(|e| WebError::App(e.into()))?;
            }
            Ok(Some(viewer))
        }
    }
}

macro_rules! pages {
    ($($method:ident $path:literal, $access:expr => $handler:path;)*) => {
        /// Every page of the UI, as registered.
        pub const PAGES: &[Page] = &[
            $(Page { method: stringify!($method), path: $path, access: $access },)*
        ];

        /// Registers every page behind its check.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        .guard(guard::Method(Method::$method))
                        .wrap(middleware::from_fn(|req, next| admit($access, req, next)))
                        .route(web::route().to($handler)),
                );
            )*
        }
    };
}

use Access::{Allowed, Anyone, Public, SignedIn};

pages! {
    GET "/assets/{name}", Anyone => assets::serve;
    GET "/login", Anyone => auth::login_form;
    POST "/login", Anyone => auth::login;
    POST "/language", Public => auth::choose_language;
    POST "/logout", SignedIn => auth::logout;
    GET "/password", SignedIn => auth::password_form;
    POST "/password", SignedIn => auth::change_password;
    GET "/", SignedIn => home::home;

    GET "/batches", Allowed(Action::ReadBatches) => batch_list::list;
    GET "/batches/new", Allowed(Action::CreateBatch) => batches::new_form;
    POST "/batches/new", Allowed(Action::CreateBatch) => batches::create;
    GET "/batches/{number}", Allowed(Action::ReadBatches) => batches::show;

    GET "/batches/{number}/steps/{step}", Allowed(Action::RecordStep) => steps::form;
    POST "/batches/{number}/steps/{step}", Allowed(Action::RecordStep) => steps::submit;
    GET "/batches/{number}/steps/{step}/verify", Allowed(Action::RecordStep) => steps::verify_form;
    POST "/batches/{number}/steps/{step}/verify", Allowed(Action::RecordStep) => steps::verify;

    GET "/ledger", Allowed(Action::ReadLedger) => ledger::show;
    POST "/ledger/verify", Allowed(Action::VerifyLedger) => ledger::verify;
    GET "/ledger/checkpoint.txt", Allowed(Action::ReadLedger) => ledger::checkpoint;
    GET "/ledger/vkey.txt", Allowed(Action::ReadLedger) => ledger::vkey;
    GET "/audit", Allowed(Action::ReadAuditTrail) => ledger::trail;
    GET "/audit.csv", Allowed(Action::ReadAuditTrail) => ledger::trail_csv;
    GET "/batches/{number}/record.html", Allowed(Action::ExportBatch) => ledger::record_html;
    GET "/batches/{number}/record.pdf", Allowed(Action::ExportBatch) => ledger::record_pdf;
    GET "/batches/{number}/export.json", Allowed(Action::ExportBatch) => ledger::bundle;

    GET "/ledger/incident", Allowed(Action::ReadIncidents) => incident::show;
    GET "/ledger/incident/record", Allowed(Action::RecordIncident) => incident::record_form;
    POST "/ledger/incident/record", Allowed(Action::RecordIncident) => incident::record;
    GET "/ledger/incident/confirm", Allowed(Action::RecordIncident) => incident::confirm_form;
    POST "/ledger/incident/confirm", Allowed(Action::RecordIncident) => incident::confirm;

    GET "/batches/{number}/qc", Allowed(Action::ReadBatches) => qc::overview;
    GET "/batches/{number}/qc/{test}", Allowed(Action::RecordQcResult) => qc::form;
    POST "/batches/{number}/qc/{test}", Allowed(Action::RecordQcResult) => qc::submit;
    GET "/batches/{number}/qc/{test}/verify", Allowed(Action::RecordQcResult) => qc::verify_form;
    POST "/batches/{number}/qc/{test}/verify", Allowed(Action::RecordQcResult) => qc::verify;

    GET "/deviations", Allowed(Action::SuperviseBatch) => deviations::open;
    GET "/batches/{number}/deviations", Allowed(Action::ReadBatches) => deviations::of_batch;
    GET "/batches/{number}/deviations/new", Allowed(Action::RaiseDeviation) => deviations::raise_page;
    POST "/batches/{number}/deviations/new", Allowed(Action::RaiseDeviation) => deviations::raise;
    GET "/batches/{number}/deviations/{id}/classify", Allowed(Action::SuperviseBatch) => deviation_decisions::classify_page;
    POST "/batches/{number}/deviations/{id}/classify", Allowed(Action::SuperviseBatch) => deviation_decisions::classify;
    GET "/batches/{number}/deviations/{id}/close", Allowed(Action::SuperviseBatch) => deviation_decisions::close_page;
    POST "/batches/{number}/deviations/{id}/close", Allowed(Action::SuperviseBatch) => deviation_decisions::close;

    GET "/corrections", Allowed(Action::SuperviseBatch) => corrections::waiting;
    GET "/batches/{number}/corrections", Allowed(Action::ReadBatches) => corrections::of_batch;
    GET "/batches/{number}/corrections/new", Allowed(Action::CorrectRecord) => corrections::new_form;
    POST "/batches/{number}/corrections/new", Allowed(Action::CorrectRecord) => corrections::correct;
    // A correction is verified by a second operator and approved by QA.
    GET "/batches/{number}/corrections/{id}/{action:verify}", Allowed(Action::RecordStep) => correction_confirm::confirm_form;
    POST "/batches/{number}/corrections/{id}/{action:verify}", Allowed(Action::RecordStep) => correction_confirm::confirm;
    GET "/batches/{number}/corrections/{id}/{action:approve}", Allowed(Action::SuperviseBatch) => correction_confirm::confirm_form;
    POST "/batches/{number}/corrections/{id}/{action:approve}", Allowed(Action::SuperviseBatch) => correction_confirm::confirm;

    GET "/batches/{number}/course/{course}", Allowed(Action::SuperviseBatch) => course::form;
    POST "/batches/{number}/course/{course}", Allowed(Action::SuperviseBatch) => course::submit;

    GET "/templates", Allowed(Action::ReadTemplates) => templates::list;
    GET "/templates/{code}/{version}", Allowed(Action::ReadTemplates) => templates::show;
    GET "/templates/{code}/{version}/approve", Allowed(Action::ManageTemplates) => templates::approve_form;
    POST "/templates/{code}/{version}/approve", Allowed(Action::ManageTemplates) => templates::approve;

    GET "/lots", Allowed(Action::ReadMaterials) => lots::list;
    GET "/lots/new", Allowed(Action::ManageMaterials) => lots::new_form;
    POST "/lots/new", Allowed(Action::ManageMaterials) => lots::register;
    GET "/lots/{lot}/{decision}", Allowed(Action::ManageMaterials) => lots::decision_form;
    POST "/lots/{lot}/{decision}", Allowed(Action::ManageMaterials) => lots::decide;

    GET "/equipment", Allowed(Action::ReadMaterials) => equipment::list;
    GET "/equipment/new", Allowed(Action::ManageMaterials) => equipment::new_form;
    POST "/equipment/new", Allowed(Action::ManageMaterials) => equipment::register;
    GET "/equipment/{id}/calibration", Allowed(Action::ManageMaterials) => equipment::calibration_form;
    POST "/equipment/{id}/calibration", Allowed(Action::ManageMaterials) => equipment::calibrate;

    GET "/admin/users", Allowed(Action::ListUsers) => users::list;
    GET "/admin/users/new", Allowed(Action::CreateUser) => users::new_form;
    POST "/admin/users/new", Allowed(Action::CreateUser) => users::create;
    GET "/admin/users/{username}", Allowed(Action::ListUsers) => users::show;
    POST "/admin/users/{username}/{change:roles}", Allowed(Action::ChangeUserRoles) => users::change;
    POST "/admin/users/{username}/{change:deactivate}", Allowed(Action::DeactivateUser) => users::change;
    POST "/admin/users/{username}/{change:unlock}", Allowed(Action::UnlockUser) => users::change;
    POST "/admin/users/{username}/{change:password}", Allowed(Action::ResetUserPassword) => users::change;

    GET "/approvals", Allowed(Action::ApproveAccount) => approvals::list;
    GET "/approvals/{username}", Allowed(Action::ApproveAccount) => approvals::approve_form;
    POST "/approvals/{username}", Allowed(Action::ApproveAccount) => approvals::approve;
    GET "/account/acknowledge", Allowed(Action::ManageOwnAccount) => approvals::acknowledge_form;
    POST "/account/acknowledge", Allowed(Action::ManageOwnAccount) => approvals::acknowledge;

    GET "/batches/{number}/review", Allowed(Action::ReviewBatch) => release::review;
    GET "/batches/{number}/release/{decision}", Allowed(Action::CertifyBatch) => release::decision_page;
    POST "/batches/{number}/release/{decision}", Allowed(Action::CertifyBatch) => release::decide;
    GET "/batches/{number}/physician-request", Allowed(Action::RequestExceptionalRelease) => release::request_page;
    POST "/batches/{number}/physician-request", Allowed(Action::RequestExceptionalRelease) => release::request;

    GET "/batches/{number}/ship", Allowed(Action::ShipBatch) => ward::ship_form;
    POST "/batches/{number}/ship", Allowed(Action::ShipBatch) => ward::ship;
    GET "/batches/{number}/shipments/{shipment}/receive", Allowed(Action::TreatPatient) => ward::receive_form_page;
    POST "/batches/{number}/shipments/{shipment}/receive", Allowed(Action::TreatPatient) => ward::receive;
    GET "/batches/{number}/bedside", Allowed(Action::TreatPatient) => ward::bedside_form_page;
    POST "/batches/{number}/bedside", Allowed(Action::TreatPatient) => ward::bedside;
    GET "/batches/{number}/infusion", Allowed(Action::TreatPatient) => infusion::form_page;
    POST "/batches/{number}/infusion", Allowed(Action::TreatPatient) => infusion::infuse;
    GET "/batches/{number}/follow-up", Allowed(Action::TreatPatient) => follow_up::form_page;
    POST "/batches/{number}/follow-up", Allowed(Action::TreatPatient) => follow_up::record;
}
