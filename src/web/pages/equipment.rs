//! Equipment: the list (calibration due, what is out of calibration marked), registering a
//! piece of equipment, and QA's signed calibration record. The same `materials` functions as
//! `/api/v1/equipment`; the rules are in `domain::material`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::lots::{date, today};
use super::{page, see_other};
use crate::auth::{Action, SignatureMeaning};
use crate::error::AppError;
use crate::services::materials;
use crate::services::projections::materials::{self as rows, EquipmentRow};
use crate::web::frame::Frame;
use crate::web::session::{self, PageRequest, Posted, Viewer};
use crate::web::signing::plain::{FormPage, SignActionPage};
use crate::web::signing::{field, Input, Typed};
use crate::web::{signing, Answer, WebError};

pub struct EquipmentLine {
    pub row: EquipmentRow,
    /// Past its calibration due date: the step form does not offer it.
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "ui/equipment.html")]
struct ListPage {
    frame: Frame,
    equipment: Vec<EquipmentLine>,
    can_manage: bool,
    done: Option<String>,
}

pub async fn list(request: PageRequest) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let found = state
        .db
        .run(|conn| rows::list_equipment(conn).map_err(AppError::from))
        .await?;
    let today = today();
    let notice = viewer.tr.notice_about(
        "equipment-done-",
        done.done.as_deref(),
        ("id", done.id.as_deref()),
    );
    let shown = ListPage {
        frame: Frame::of(viewer, "/equipment"),
        equipment: found
            .into_iter()
            .map(|row| EquipmentLine {
                overdue: row.calibration_due.as_str() < today.as_str(),
                row,
            })
            .collect(),
        can_manage: viewer.can(Action::ManageMaterials),
        done: notice,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn new_form_page(viewer: &Viewer, typed: &Typed) -> FormPage {
    let tr = viewer.tr;
    let inputs = vec![
        Input::text("id", tr.t("equipment-id"), typed).hint(tr.t("equipment-id-hint")),
        Input::text("kind", tr.t("equipment-kind"), typed),
        Input::date("calibration_due", tr.t("equipment-calibration-due"), typed),
    ];
    let mut form = FormPage::new(
        viewer,
        "/equipment/new",
        tr.t("equipment-register-title"),
        inputs,
    );
    form.submit = tr.t("equipment-register");
    form.submit_id = "register-equipment";
    form.back = "/equipment".to_owned();
    form
}

pub async fn new_form(viewer: Viewer) -> Result<HttpResponse, WebError> {
    Ok(new_form_page(&viewer, &vec![]).show(&viewer))
}

/// Marks the date inputs that did not hold a date; true when there was one.
fn check_dates(viewer: &Viewer, inputs: &mut [Input], typed: &Typed, names: &[&str]) -> bool {
    let mut bad = false;
    for input in inputs
        .iter_mut()
        .filter(|i| names.contains(&i.name.as_str()))
    {
        if date(typed, &input.name).is_none() {
            input.error = Some(viewer.tr.t("form-date"));
            bad = true;
        }
    }
    bad
}

pub async fn register(request: PageRequest, Posted(typed): Posted<Typed>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let mut form = new_form_page(viewer, &typed);
    let (Some(due), false) = (
        date(&typed, "calibration_due"),
        check_dates(viewer, &mut form.inputs, &typed, &["calibration_due"]),
    ) else {
        return Ok(form.show(viewer));
    };
    let actor = viewer.who.actor();
    let (id, kind) = (field(&typed, "id"), field(&typed, "kind"));
    let made = state
        .db
        .run(move |conn| materials::register_equipment(conn, &actor, id.trim(), kind.trim(), due))
        .await
        .map_err(AppError::from);
    match made {
        Ok(row) => Ok(see_other(&format!(
            "/equipment?done=registered&id={}",
            row.equipment_id
        ))),
        Err(error) => Ok(form.refused(viewer, &error)),
    }
}

async fn find(req: &HttpRequest, id: &str) -> Result<EquipmentRow, WebError> {
    let state = session::state(req)?;
    let found = state
        .db
        .run(|conn| rows::list_equipment(conn).map_err(AppError::from))
        .await?;
    found
        .into_iter()
        .find(|row| row.equipment_id == id)
        .ok_or(WebError::NotFound)
}

fn calibration_dialog(viewer: &Viewer, row: &EquipmentRow, typed: &Typed) -> SignActionPage {
    let tr = viewer.tr;
    let summary = vec![
        (tr.t("equipment-id"), row.equipment_id.clone()),
        (tr.t("equipment-kind"), row.equipment_kind.clone()),
        (
            tr.t("equipment-calibration-due"),
            row.calibration_due.clone(),
        ),
        (
            tr.t("equipment-last-calibrated"),
            row.last_calibrated.clone().unwrap_or_else(|| tr.t("none")),
        ),
    ];
    let here = format!("/equipment/{}/calibration", row.equipment_id);
    let mut dialog = SignActionPage::new(
        viewer,
        &here,
        tr.t1("equipment-calibration-title", "id", &row.equipment_id),
        SignatureMeaning::Approved,
        summary,
    );
    dialog.inputs = vec![
        Input::date("calibrated_on", tr.t("equipment-calibrated-on"), typed),
        Input::date("calibration_due", tr.t("equipment-next-due"), typed),
    ];
    dialog.back = "/equipment".to_owned();
    dialog
}

pub async fn calibration_form(request: PageRequest, path: web::Path<String>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let row = find(req, &path).await?;
    Ok(calibration_dialog(viewer, &row, &vec![]).show(viewer))
}

/// QA's signed calibration, as `POST /api/v1/equipment/{id}/calibration`.
pub async fn calibrate(
    request: PageRequest,
    path: web::Path<String>,
    Posted(typed): Posted<Typed>,
) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let row = find(req, &path).await?;
    let mut dialog = calibration_dialog(viewer, &row, &typed);
    let names = ["calibrated_on", "calibration_due"];
    if check_dates(viewer, &mut dialog.inputs, &typed, &names) {
        return Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &dialog));
    }
    let (Some(on), Some(due)) = (date(&typed, names[0]), date(&typed, names[1])) else {
        return Err(WebError::Internal);
    };
    let meaning = SignatureMeaning::Approved;
    let id = row.equipment_id.clone();
    let done = signing::sign(req, viewer, &typed, meaning, {
        let id = id.clone();
        move |conn, who, signer| materials::calibrate(conn, &who.actor(), &id, on, due, signer)
    })
    .await?;
    match done {
        Ok(_) => Ok(see_other(&format!("/equipment?done=calibrated&id={id}"))),
        Err(error) => Ok(dialog.refused(viewer, &error)),
    }
}
