//! Material lots: the list (status and expiry, what cannot be used marked), registering a lot
//! in quarantine, and QA's signed release or rejection. The same `materials` functions as
//! `/api/v1/lots`; the rules are in `domain::material`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use super::{page, see_other};
use crate::auth::{Action, SignatureMeaning};
use crate::domain::material::{LotStatus, LotUse};
use crate::error::AppError;
use crate::services::materials::{self, NewLot};
use crate::services::projections::materials::{self as rows, LotRow};
use crate::web::frame::Frame;
use crate::web::session::{self, PageRequest, Posted, Viewer};
use crate::web::signing::plain::{FormPage, SignActionPage};
use crate::web::signing::{field, Input, Typed};
use crate::web::{signing, Answer, WebError};

pub fn today() -> String {
    crate::services::accounts::now().date_naive().to_string()
}

pub struct LotLine {
    pub row: LotRow,
    pub status: String,
    /// Why the lot cannot be used in a step today, if it cannot.
    pub unusable: Option<String>,
    pub can_release: bool,
    pub can_reject: bool,
}

/// Only released lots within their expiry are offered in steps (as the step form's pickers).
fn line(row: LotRow, viewer: &Viewer, today: NaiveDate) -> LotLine {
    let tr = viewer.tr;
    let unusable = match row.lot_use(today) {
        LotUse::Usable => None,
        LotUse::Expired => Some(tr.t("lot-expired")),
        LotUse::InQuarantine => Some(tr.t("lot-not-released")),
        LotUse::Rejected => Some(tr.t("lot-rejected")),
    };
    let manage = viewer.can(Action::ManageMaterials);
    let status = row.lot_status();
    LotLine {
        status: tr.t(&format!("lot-status-{}", status.as_str())),
        can_release: manage && status == LotStatus::Quarantine,
        can_reject: manage && status != LotStatus::Rejected,
        unusable,
        row,
    }
}

#[derive(Template)]
#[template(path = "ui/lots.html")]
struct ListPage {
    frame: Frame,
    lots: Vec<LotLine>,
    can_manage: bool,
    done: Option<String>,
}

pub async fn list(request: PageRequest) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let found = state
        .db
        .run(|conn| rows::list_lots(conn, None).map_err(AppError::from))
        .await?;
    let today = crate::services::accounts::now().date_naive();
    let notice = viewer.tr.notice_about(
        "lot-done-",
        done.done.as_deref(),
        ("lot", done.lot.as_deref()),
    );
    let shown = ListPage {
        frame: Frame::of(viewer, "/lots"),
        lots: found.into_iter().map(|r| line(r, viewer, today)).collect(),
        can_manage: viewer.can(Action::ManageMaterials),
        done: notice,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn new_lot_form(viewer: &Viewer, typed: &Typed) -> FormPage {
    let tr = viewer.tr;
    let inputs = vec![
        Input::text("material", tr.t("lot-material"), typed).hint(tr.t("lot-material-hint")),
        Input::text("lot_number", tr.t("lot-number"), typed),
        Input::text("supplier", tr.t("lot-supplier"), typed),
        Input::date("expiry", tr.t("lot-expiry"), typed),
        Input::text("certificate", tr.t("lot-certificate"), typed)
            .optional()
            .hint(tr.t("lot-certificate-hint")),
    ];
    let mut form = FormPage::new(viewer, "/lots/new", tr.t("lot-register-title"), inputs);
    form.submit = tr.t("lot-register");
    form.submit_id = "register-lot";
    form.back = "/lots".to_owned();
    form
}

pub async fn new_form(viewer: Viewer) -> Result<HttpResponse, WebError> {
    Ok(new_lot_form(&viewer, &vec![]).show(&viewer))
}

/// A date as `<input type="date">` sends it; `None` shows the date message at the input.
pub fn date(typed: &Typed, name: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(field(typed, name).trim(), "%Y-%m-%d").ok()
}

/// Registers a lot as `POST /api/v1/lots` does: in quarantine until QA releases it.
pub async fn register(request: PageRequest, Posted(typed): Posted<Typed>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let Some(expiry) = date(&typed, "expiry") else {
        let mut form = new_lot_form(viewer, &typed);
        if let Some(input) = form.inputs.iter_mut().find(|i| i.name == "expiry") {
            input.error = Some(viewer.tr.t("form-date"));
        }
        return Ok(form.show(viewer));
    };
    let certificate =
        Some(field(&typed, "certificate").trim().to_owned()).filter(|c| !c.is_empty());
    let made: Result<LotRow, AppError> = async {
        let new = NewLot {
            material: field(&typed, "material").trim().to_owned(),
            lot_number: field(&typed, "lot_number").trim().to_owned(),
            supplier: field(&typed, "supplier").trim().to_owned(),
            expiry,
            certificate,
        };
        let actor = viewer.who.actor();
        Ok(state
            .db
            .run(move |conn| materials::register_lot(conn, &actor, new))
            .await?)
    }
    .await;
    match made {
        Ok(lot) => Ok(see_other(&format!(
            "/lots?done=registered&lot={}",
            lot.lot_id
        ))),
        Err(error) => Ok(new_lot_form(viewer, &typed).refused(viewer, &error)),
    }
}

async fn find(req: &HttpRequest, lot_id: &str) -> Result<LotRow, WebError> {
    let state = session::state(req)?;
    let lot_id = lot_id.to_owned();
    state
        .db
        .run(move |conn| rows::find_lot(conn, &lot_id).map_err(AppError::from))
        .await?
        .ok_or(WebError::NotFound)
}

fn decision_dialog(viewer: &Viewer, lot: &LotRow, release: bool, typed: &Typed) -> SignActionPage {
    let tr = viewer.tr;
    let verb = if release { "release" } else { "reject" };
    let summary = vec![
        (tr.t("lot-id"), lot.lot_id.clone()),
        (tr.t("lot-material"), lot.material.clone()),
        (tr.t("lot-number"), lot.lot_number.clone()),
        (tr.t("lot-supplier"), lot.supplier.clone()),
        (tr.t("lot-expiry"), lot.expiry.clone()),
        (
            tr.t("lot-status"),
            tr.t(&format!("lot-status-{}", lot.status)),
        ),
        (tr.t("lot-decision"), tr.t(&format!("lot-{verb}"))),
    ];
    let here = format!("/lots/{}/{verb}", lot.lot_id);
    let mut dialog = SignActionPage::new(
        viewer,
        &here,
        tr.t1(&format!("lot-{verb}-title"), "lot", &lot.lot_id),
        SignatureMeaning::Approved,
        summary,
    );
    let reason = Input::text("reason", tr.t("lot-reason"), typed);
    dialog.inputs = vec![if release { reason.optional() } else { reason }];
    dialog.back = "/lots".to_owned();
    dialog
}

fn verb(path: &str) -> Result<bool, WebError> {
    match path {
        "release" => Ok(true),
        "reject" => Ok(false),
        _ => Err(WebError::NotFound),
    }
}

pub async fn decision_form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (lot_id, action) = path.into_inner();
    let release = verb(&action)?;
    let lot = find(req, &lot_id).await?;
    Ok(decision_dialog(viewer, &lot, release, &vec![]).show(viewer))
}

/// QA's signed release or rejection, as `POST /api/v1/lots/{lot_id}/release|reject`.
pub async fn decide(
    request: PageRequest,
    path: web::Path<(String, String)>,
    Posted(typed): Posted<Typed>,
) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (lot_id, action) = path.into_inner();
    let release = verb(&action)?;
    let meaning = SignatureMeaning::Approved;
    let reason = field(&typed, "reason");
    let decided = signing::sign(req, viewer, &typed, meaning, {
        let lot_id = lot_id.clone();
        move |conn, who, signer| {
            materials::decide_lot(conn, &who.actor(), &lot_id, release, &reason, signer)
        }
    })
    .await?;
    match decided {
        Ok(lot) => Ok(see_other(&format!(
            "/lots?done={}&lot={}",
            lot.status, lot.lot_id
        ))),
        Err(error) => {
            let lot = find(req, &lot_id).await?;
            Ok(decision_dialog(viewer, &lot, release, &typed).refused(viewer, &error))
        }
    }
}
