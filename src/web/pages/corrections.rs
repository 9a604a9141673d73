//! Corrections of recorded values: a batch's corrections with their state, a new value for one
//! field of one record with its reason (signed `performed` by the record's performer or QA),
//! a second person's verification (`verified`) and QA's approval (`approved`); and QA's list
//! of corrections waiting across batches. Who may do which is the domain's decision.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;
use serde::Deserialize;

use super::batches::{show_value, BatchHeading};
use super::page;
use super::pager::{CursorQuery, Pager};
use crate::auth::{Action, SignatureMeaning};
use crate::domain::batch::corrections::Correct;
use crate::domain::batch::ValueStatus;
use crate::domain::template::{FieldType, Step, Template as ProcessTemplate};
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::batches::{self, BatchView};
use crate::services::paging::{Page, PageSpec};
use crate::services::projections::batches::{self as rows, WaitingCorrectionRow};
use crate::web::frame::Frame;
use crate::web::session::{self, PageRequest, PostedForm, Viewer};
use crate::web::signing::review::{Flow, FormPage};
use crate::web::signing::step::{self as step_form, show_datetime};
use crate::web::signing::{self, field, FormErrors, Input};
use crate::web::{Answer, WebError};

pub struct CorrectionShown {
    pub id: u32,
    pub batch_number: String,
    pub step: String,
    pub record: u32,
    pub field: String,
    pub previous: String,
    pub value: String,
    pub reason: String,
    pub by: String,
    pub status_label: String,
    pub can_verify: bool,
    pub can_approve: bool,
}

/// Every correction of the batch, from the history of each value, oldest first.
pub(super) fn corrections(
    batch: &BatchView,
    template: &ProcessTemplate,
    viewer: &Viewer,
) -> Vec<CorrectionShown> {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let mut found = vec![];
    for step in &batch.steps {
        let Some((_, template_step)) = template.step(&step.step_id) else {
            continue;
        };
        for record in &step.records {
            for (field_id, value) in &record.values {
                let kind = template_step
                    .field(field_id)
                    .map_or(FieldType::Text, |f| f.kind);
                let unit = value
                    .unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default();
                let show =
                    |v: &serde_json::Value| format!("{}{unit}", show_value(v, kind, zone, tr));
                for (i, change) in value.history.iter().enumerate() {
                    let Some(id) = change.correction_id else {
                        continue;
                    };
                    let previous = i
                        .checked_sub(1)
                        .and_then(|p| value.history.get(p))
                        .map(|p| show(&p.value))
                        .unwrap_or_default();
                    found.push(CorrectionShown {
                        id,
                        batch_number: batch.batch_number.clone(),
                        step: step.title.clone(),
                        record: record.record,
                        field: value.label.clone(),
                        previous,
                        value: show(&change.value),
                        reason: change.reason.clone().unwrap_or_default(),
                        by: format!("{} · {}", change.by, show_datetime(&change.at, zone, tr)),
                        status_label: tr.t(&format!("correction-{}", change.status.slug())),
                        can_verify: may_verify(viewer, change.status),
                        can_approve: may_approve(viewer, change.status),
                    });
                }
            }
        }
    }
    found.sort_by_key(|c| c.id);
    found
}

#[derive(Template)]
#[template(path = "ui/corrections.html")]
struct BatchCorrections {
    frame: Frame,
    heading: BatchHeading,
    corrections: Vec<CorrectionShown>,
    /// The records that may be corrected: (step id, step title, record, performed by).
    records: Vec<(String, String, u32, String)>,
    can_correct: bool,
    done: Option<String>,
}

pub async fn of_batch(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let (batch, template) = signing::batch_and_template(state, path.into_inner()).await?;
    let done = viewer.tr.notice("done-correction-", done.done.as_deref());
    let records = batch
        .steps
        .iter()
        .flat_map(|s| {
            s.records.iter().map(|r| {
                (
                    s.step_id.clone(),
                    s.title.clone(),
                    r.record,
                    r.performed_by.clone(),
                )
            })
        })
        .collect();
    let shown = BatchCorrections {
        frame: Frame::of(
            viewer,
            &format!("/batches/{}/corrections", batch.batch_number),
        ),
        heading: BatchHeading::of(&batch, viewer.tr),
        corrections: corrections(&batch, &template, viewer),
        records,
        can_correct: viewer.can(Action::CorrectRecord),
        done,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

#[derive(Template)]
#[template(path = "ui/corrections_waiting.html")]
struct Waiting {
    frame: Frame,
    lines: Vec<CorrectionShown>,
    pager: Pager,
    error: Option<String>,
}

/// One page of the corrections waiting for verification or approval in every batch still
/// open, from their projection rows: as many queries with a thousand open batches as with one.
pub async fn waiting_lines(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    page: PageSpec,
) -> Result<Page<CorrectionShown>, WebError> {
    let found = state
        .db
        .run(move |conn| rows::waiting_correction_list(conn, &page).map_err(AppError::from))
        .await?;
    let Page { rows, next, total } = found;
    Ok(Page {
        rows: rows
            .into_iter()
            .filter_map(|row| waiting_line(row, viewer))
            .collect(),
        next,
        total,
    })
}

fn waiting_line(row: WaitingCorrectionRow, viewer: &Viewer) -> Option<CorrectionShown> {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let kind = FieldType::parse(&row.field_kind).unwrap_or(FieldType::Text);
    let status = ValueStatus::parse(&row.status)?;
    let unit = row.unit.map(|u| format!(" {u}")).unwrap_or_default();
    let show = |json: &str| {
        let value = serde_json::from_str(json).unwrap_or(serde_json::Value::Null);
        format!("{}{unit}", show_value(&value, kind, zone, tr))
    };
    Some(CorrectionShown {
        id: u32::try_from(row.correction_id).ok()?,
        previous: row.previous.as_deref().map(show).unwrap_or_default(),
        value: show(&row.value),
        batch_number: row.batch_number,
        step: row.step_title,
        record: u32::try_from(row.record).ok()?,
        field: row.field_label,
        reason: row.reason,
        by: format!(
            "{} · {}",
            row.corrected_by,
            show_datetime(&row.corrected_at, zone, tr)
        ),
        status_label: tr.t(&format!("correction-{}", status.slug())),
        can_verify: may_verify(viewer, status),
        can_approve: may_approve(viewer, status),
    })
}

fn may_verify(viewer: &Viewer, status: ValueStatus) -> bool {
    viewer.can(Action::RecordStep) && status == ValueStatus::AwaitingVerification
}

fn may_approve(viewer: &Viewer, status: ValueStatus) -> bool {
    viewer.can(Action::SuperviseBatch) && status == ValueStatus::AwaitingApproval
}

pub async fn waiting(request: PageRequest, asked: web::Query<CursorQuery>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (spec, error) = match asked.spec(viewer.tr) {
        Ok(spec) => (spec, None),
        Err(message) => (PageSpec::default(), Some(message)),
    };
    let found = waiting_lines(&session::state(req)?, viewer, spec).await?;
    let shown = Waiting {
        frame: Frame::of(viewer, "/corrections"),
        pager: Pager::of(&found, viewer.tr, "/corrections", &asked),
        lines: found.rows,
        error,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

#[derive(Deserialize)]
pub struct Target {
    step: String,
    record: u32,
}

fn correct_form(
    viewer: &Viewer,
    (batch, step): (&BatchView, &Step),
    target: &Target,
    form: &[(String, String)],
    (at, general): FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let action = format!(
        "/batches/{number}/corrections/new?step={}&record={}",
        step.id, target.record
    );
    let mut shown = FormPage::new(viewer, batch, action, tr.t("correction-new"));
    shown.facts = vec![
        (tr.t("correction-step"), step.title.clone()),
        (tr.t("correction-record"), target.record.to_string()),
    ];
    let fields = step
        .fields
        .iter()
        .map(|f| (f.id.clone(), f.label.clone()))
        .collect();
    shown.inputs = vec![
        Input::new("field", tr.t("correction-field"), "select")
            .carries("field_id")
            .options(fields)
            .from(form, &at),
        Input::new("value", tr.t("correction-value"), "text")
            .hint(Some(tr.t("correction-value-hint")))
            .from(form, &at),
        Input::new("reason", tr.t("correction-reason"), "textarea").from(form, &at),
    ];
    shown.error = general;
    shown.back = format!("/batches/{number}/corrections");
    shown
}

pub async fn new_form(
    request: PageRequest,
    path: web::Path<String>,
    target: web::Query<Target>,
) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let (batch, template) = signing::batch_and_template(state, path.into_inner()).await?;
    let (_, step) = template.step(&target.step).ok_or(WebError::NotFound)?;
    let shown = correct_form(viewer, (&batch, step), &target, &[], (None, None));
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// A correction, signed `performed` by its author, as `POST .../corrections` makes it.
pub async fn correct(
    request: PostedForm,
    path: web::Path<String>,
    target: web::Query<Target>,
) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let number = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number.clone()).await?;
    let (_, step) = template.step(&target.step).ok_or(WebError::NotFound)?;
    let tr = viewer.tr;
    let field_id = field(form, "field");
    let typed = field(form, "value");
    let build = |errors| correct_form(viewer, (&batch, step), &target, form, errors);
    let one = [(field_id.clone(), typed.clone())].into_iter().collect();
    let value = match step_form::to_values(step, &one, tr, state.time_zone) {
        Ok(values) => values.get(&field_id).cloned().unwrap_or_default(),
        Err(errors) => {
            let message = errors.into_values().next().unwrap_or_default();
            let shown = build((Some(("value".to_owned(), message)), None));
            return Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &shown));
        }
    };
    let label = step
        .field(&field_id)
        .map_or(field_id.clone(), |f| f.label.clone());
    let reason = field(form, "reason");
    let command = Correct {
        step_id: step.id.clone(),
        record: target.record,
        field_id,
        value,
        reason: reason.clone(),
    };
    let flow = Flow {
        req,
        viewer,
        batch: &batch,
        form,
        action: format!(
            "/batches/{number}/corrections/new?step={}&record={}",
            step.id, target.record
        ),
        title: format!("{} · {}", tr.t("correction-new"), step.title),
        meaning: SignatureMeaning::Performed,
        carried: &["field", "value", "reason"],
        summary: vec![
            (tr.t("correction-record"), target.record.to_string(), None),
            (tr.t("correction-field"), label, None),
            (tr.t("correction-value"), typed.clone(), None),
            (tr.t("correction-reason"), reason, None),
        ],
        done: format!("/batches/{number}/corrections?done=corrected"),
    };
    signing::review::flow(flow, build, move |conn, who, signer, position| {
        batches::correct(conn, who, &number, command, position, signer).map(drop)
    })
    .await
}
