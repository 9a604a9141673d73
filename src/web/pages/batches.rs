//! Batches: the list, starting a batch, and one batch's record with its stages and steps.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use askama::Template;
use serde::Deserialize;

use super::{page, see_other};
use crate::auth::Action;
use crate::domain::template::{FieldType, Step, Template as ProcessTemplate};
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::batches::view::RecordView;
use crate::services::batches::{self, BatchView, CreateBatch};
use crate::web::frame::Frame;
use crate::web::i18n::Tr;
use crate::web::session::{self, PageRequest, Posted, Viewer};
use crate::web::signing::{self, step as step_form};
use crate::web::{Answer, WebError};

/// What was typed into the new-batch form, kept as typed so that nothing is lost on an error.
#[derive(Deserialize, Default)]
pub struct NewBatchForm {
    #[serde(default)]
    template: String,
    #[serde(default)]
    coi: String,
    #[serde(default)]
    patient_code: String,
    #[serde(default)]
    date_of_birth: String,
    #[serde(default)]
    treating_site: String,
    #[serde(default)]
    patient_weight_kg: String,
}

#[derive(Template)]
#[template(path = "ui/batch_new.html")]
struct NewPage {
    frame: Frame,
    form: NewBatchForm,
    templates: Vec<(String, String)>,
    error: Option<(String, String)>,
    /// The field the error concerns, to show it there.
    error_field: Option<String>,
}

pub async fn new_form(request: PageRequest) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let templates = approved_templates(req).await?;
    let mut form = NewBatchForm::default();
    if let [(code, _)] = templates.as_slice() {
        form.template = code.clone();
    }
    let new = NewPage {
        frame: Frame::of(viewer, "/batches/new"),
        form,
        templates,
        error: None,
        error_field: None,
    };
    Ok(page(viewer, StatusCode::OK, &new))
}

async fn approved_templates(req: &HttpRequest) -> Result<Vec<(String, String)>, WebError> {
    let state = session::state(req)?;
    let found = state
        .db
        .run(|conn| crate::services::templates::approved_codes(conn).map_err(AppError::from))
        .await?;
    Ok(found)
}

/// Starts a batch as `POST /api/v1/batches` does; on a refusal the form comes back with
/// everything typed in it and the message beside the field it concerns.
pub async fn create(request: PageRequest, Posted(form): Posted<NewBatchForm>) -> Answer {
    let (req, viewer, state, _) = request.parts();
    match start(state, viewer, &form).await {
        Ok(number) => Ok(see_other(&format!("/batches/{number}"))),
        Err(error) => {
            let new = NewPage {
                frame: Frame::of(viewer, "/batches/new"),
                templates: approved_templates(req).await?,
                error: Some((viewer.tr.refusal(error.code()), error.to_string())),
                error_field: error.field().map(str::to_owned),
                form,
            };
            let status = actix_web::ResponseError::status_code(&error);
            Ok(page(viewer, status, &new))
        }
    }
}

async fn start(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    form: &NewBatchForm,
) -> Result<String, AppError> {
    let tr = viewer.tr;
    let date_of_birth = chrono::NaiveDate::parse_from_str(form.date_of_birth.trim(), "%Y-%m-%d")
        .map_err(|_| {
            crate::domain::DomainError::new(
                "invalid_date_of_birth",
                "enter the date of birth as a date",
            )
            .about("date_of_birth")
        })?;
    let coi = Some(form.coi.trim().to_owned()).filter(|c| !c.is_empty());
    let command = CreateBatch {
        template: form.template.clone(),
        coi,
        patient_code: form.patient_code.trim().to_owned(),
        date_of_birth,
        treating_site: form.treating_site.trim().to_owned(),
        patient_weight_kg: tr.parse_decimal(&form.patient_weight_kg),
    };
    let actor = viewer.who.actor();
    let facility = state.facility.clone();
    Ok(state
        .db
        .run(move |conn| batches::create(conn, &actor, &facility, command))
        .await?
        .batch
        .created
        .batch_number)
}

#[derive(Template)]
#[template(path = "ui/batch.html")]
struct BatchPage {
    frame: Frame,
    heading: BatchHeading,
    batch: BatchView,
    stages: Vec<StageShown>,
    /// The step just recorded or verified, for the confirmation shown.
    done: Option<String>,
    /// May download the printable record and the export bundle.
    can_export: bool,
    /// After manufacturing: what the viewer may do next (path, label, id).
    next: Vec<(String, String, String)>,
}

pub async fn show(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let number = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number).await?;
    let tr = viewer.tr;
    let done = match (&done.recorded, &done.verified) {
        (Some(step), _) => Some(tr.t1("step-recorded-notice", "step", step)),
        (None, Some(step)) => Some(tr.t1("step-verified-notice", "step", step)),
        (None, None) => None,
    };
    let shown = BatchPage {
        frame: Frame::of(viewer, &format!("/batches/{}", batch.batch_number)),
        heading: BatchHeading::of(&batch, tr),
        stages: stages(&batch, &template, viewer),
        next: super::next::next_actions(&batch, viewer),
        batch,
        done,
        can_export: viewer.can(Action::ExportBatch),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// What the pages of one batch show at their top.
pub struct BatchHeading {
    pub number: String,
    pub patient_code: String,
    pub coi_printed: String,
    pub state: String,
}

impl BatchHeading {
    pub fn of(batch: &BatchView, tr: Tr) -> BatchHeading {
        BatchHeading {
            number: batch.batch_number.clone(),
            patient_code: batch.patient.patient_code.clone(),
            coi_printed: batch.coi_printed.clone(),
            state: tr.t(&format!("state-{}", batch.state.as_str())),
        }
    }
}

/// A recorded value as this language writes it; the ledger keeps it language-neutral.
pub fn show_value(
    value: &serde_json::Value,
    kind: FieldType,
    zone: chrono_tz::Tz,
    tr: Tr,
) -> String {
    use serde_json::Value;
    match (kind, value) {
        (FieldType::Number, Value::String(text)) => tr.decimal(text),
        (FieldType::Datetime, Value::String(text)) => step_form::show_datetime(text, zone, tr),
        (_, Value::Bool(true)) => tr.t("yes"),
        (_, Value::Bool(false)) => tr.t("no"),
        (_, Value::String(text)) => text.clone(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// A stage of the process as a page shows it: its title and its steps (as the batch record
/// or the template's own page shows a step).
pub struct StageShown<S = StepShown> {
    pub title: String,
    pub steps: Vec<S>,
}

pub struct StepShown {
    pub id: String,
    pub title: String,
    pub role: String,
    pub status: &'static str,
    pub status_label: String,
    pub records: Vec<RecordShown>,
    pub can_record: bool,
    pub can_verify: bool,
}

pub struct RecordShown {
    pub record: u32,
    pub performed: String,
    pub verified: Option<String>,
    pub values: Vec<ValueShown>,
    pub signatures: Vec<String>,
}

pub struct ValueShown {
    pub label: String,
    pub value: String,
    pub unit: Option<String>,
    pub range: Option<String>,
    pub in_range: bool,
}

/// The batch's steps grouped by the template's stages, in the viewer's language, with what
/// the viewer may do on each.
fn stages(batch: &BatchView, template: &ProcessTemplate, viewer: &Viewer) -> Vec<StageShown> {
    let tr = viewer.tr;
    let active = batch.state.is_manufacturing();
    template
        .stages
        .iter()
        .map(|stage| StageShown {
            title: stage.title.clone(),
            steps: stage
                .steps
                .iter()
                .filter_map(|step| {
                    let view = batch.steps.iter().find(|s| s.step_id == step.id)?;
                    let holds_role = viewer.who.roles.names().contains(&view.role);
                    Some(StepShown {
                        id: step.id.clone(),
                        title: step.title.clone(),
                        role: tr.t(&format!("role-{}", view.role)),
                        status: view.status.as_str(),
                        status_label: tr.t(&format!("step-{}", view.status.as_str())),
                        can_record: active && holds_role && view.status.may_record(view.repeatable),
                        can_verify: active
                            && holds_role
                            && view.verify
                            && view.status.awaits_verification(),
                        records: view
                            .records
                            .iter()
                            .map(|r| record_shown(r, step, viewer))
                            .collect(),
                    })
                })
                .collect(),
        })
        .collect()
}

fn record_shown(record: &RecordView, step: &Step, viewer: &Viewer) -> RecordShown {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let when = |at: &str| step_form::show_datetime(at, zone, tr);
    let values = step
        .fields
        .iter()
        .filter_map(|field| {
            let value = record.values.get(&field.id)?;
            let limit = |l: &Option<String>| l.as_deref().map(|t| tr.decimal(t));
            let range = match (limit(&value.min), limit(&value.max)) {
                (Some(min), Some(max)) => Some(format!("{min} – {max}")),
                (Some(min), None) => Some(format!("≥ {min}")),
                (None, Some(max)) => Some(format!("≤ {max}")),
                (None, None) => None,
            };
            Some(ValueShown {
                label: value.label.clone(),
                value: show_value(&value.value, field.kind, zone, tr),
                unit: value.unit.clone(),
                range,
                in_range: value.in_range,
            })
        })
        .collect();
    RecordShown {
        record: record.record,
        performed: format!("{} · {}", record.performed_by, when(&record.performed_at)),
        verified: record.verified_by.as_ref().map(|by| {
            format!(
                "{by} · {}",
                record.verified_at.as_deref().map(when).unwrap_or_default()
            )
        }),
        values,
        signatures: record
            .signatures
            .iter()
            .map(|s| {
                format!(
                    "{} ({}) · {} · {}",
                    s.signer_full_name,
                    s.signer,
                    tr.t(&format!("meaning-{}", s.meaning)),
                    when(&s.signed_at)
                )
            })
            .collect(),
    }
}
