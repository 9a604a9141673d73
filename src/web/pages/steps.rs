//! Recording a step and verifying a colleague's: the form generated from the template, then
//! the signature dialog that shows what is signed, its meaning and the signer's printed name,
//! and asks for the password again. Everything typed travels with the form, so that a refusal
//! at any stage loses nothing.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, ResponseError};
use askama::Template;

use super::batches::BatchHeading;
use super::{page, see_other};
use crate::auth::SignatureMeaning;
use crate::domain::template::FieldType;
use crate::domain::template::{Step, Template as ProcessTemplate};
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::batches::{self, BatchView, StepInput};
use crate::web::frame::Frame;
use crate::web::multipart::Upload;
use crate::web::session::{PageRequest, PostedFiles, PostedForm, Viewer};
use crate::web::signing::review::SignPage;
use crate::web::signing::step::{self as step_form, Pickers};
use crate::web::signing::{field, position, sign, Input, Refusal};
use crate::web::{Answer, WebError};

/// The batch, its pinned template, and the lots and equipment usable today.
struct Context {
    batch: BatchView,
    template: ProcessTemplate,
    pickers: Pickers,
}

async fn context(state: &web::Data<AppState>, number: String) -> Result<Context, WebError> {
    let today = crate::services::accounts::now().date_naive();
    let found = state
        .db
        .run(move |conn| {
            let (batch, template) = batches::record_and_template(conn, &number)?;
            let lots = crate::services::projections::materials::list_lots(conn, None)?;
            let equipment = crate::services::projections::materials::list_equipment(conn)?;
            Ok::<_, crate::error::ServiceError>((batch, template, lots, equipment))
        })
        .await?;
    let (batch, template, lots, equipment) = found;
    Ok(Context {
        batch,
        template,
        pickers: Pickers::usable(lots, equipment, today),
    })
}

fn step_of<'a>(template: &'a ProcessTemplate, step_id: &str) -> Result<&'a Step, WebError> {
    template
        .step(step_id)
        .map(|(_, step)| step)
        .ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "ui/step.html")]
struct StepPage {
    frame: Frame,
    heading: BatchHeading,
    step_id: String,
    step_title: String,
    confirms_coi: bool,
    coi_typed: String,
    coi_error: Option<String>,
    fields: Vec<Input>,
    error: Option<(String, String)>,
    position: i64,
}

pub async fn form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let (number, step_id) = path.into_inner();
    let context = context(state, number).await?;
    let none = BTreeMap::new();
    let shown = step_page(
        viewer,
        context,
        &step_id,
        &none,
        "",
        (none.clone(), None, None),
    )?;
    Ok(page(viewer, StatusCode::OK, &shown))
}

type Errors = (
    BTreeMap<String, String>,
    Option<String>,
    Option<(String, String)>,
);

fn step_page(
    viewer: &Viewer,
    context: Context,
    step_id: &str,
    typed: &BTreeMap<String, String>,
    coi_typed: &str,
    (field_errors, coi_error, error): Errors,
) -> Result<StepPage, WebError> {
    let step = step_of(&context.template, step_id)?;
    let here = format!("/batches/{}/steps/{step_id}", context.batch.batch_number);
    Ok(StepPage {
        frame: Frame::of(viewer, &here),
        step_id: step_id.to_owned(),
        step_title: step.title.clone(),
        confirms_coi: step.coi,
        coi_typed: coi_typed.to_owned(),
        coi_error,
        fields: step_form::inputs(step, typed, &field_errors, &context.pickers, viewer.tr),
        error,
        position: context.batch.position,
        heading: BatchHeading::of(&context.batch, viewer.tr),
    })
}

/// Review (show the signature dialog), edit (back to the form) or sign (record).
pub async fn submit(
    request: PageRequest,
    path: web::Path<(String, String)>,
    PostedFiles {
        fields: mut form,
        uploads,
    }: PostedFiles,
) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let (number, step_id) = path.into_inner();
    let context = context(state, number).await?;
    let step = step_of(&context.template, &step_id)?;
    attach(state, viewer, step, uploads, &mut form).await?;
    let typed = step_form::typed_values(step, &form);
    let coi = field(&form, "coi").trim().to_owned();
    let position = position(&form);
    let values = match step_form::to_values(step, &typed, viewer.tr, state.time_zone) {
        Ok(values) => values,
        Err(errors) => {
            let shown = step_page(
                viewer,
                context,
                &step_id,
                &typed,
                &coi,
                (errors, None, None),
            )?;
            return Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &shown));
        }
    };
    match field(&form, "intent").as_str() {
        "sign" => {}
        "edit" => {
            let none = BTreeMap::new();
            let shown = step_page(viewer, context, &step_id, &typed, &coi, (none, None, None))?;
            return Ok(page(viewer, StatusCode::OK, &shown));
        }
        _ => {
            let errors = step_form::field_refusals(step, &values, viewer.tr);
            if !errors.is_empty() {
                let shown = step_page(
                    viewer,
                    context,
                    &step_id,
                    &typed,
                    &coi,
                    (errors, None, None),
                )?;
                return Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &shown));
            }
            let shown = sign_page(viewer, &context, step, &form, position, None, None)?;
            return Ok(page(viewer, StatusCode::OK, &shown));
        }
    }
    let number = context.batch.batch_number.clone();
    let input = StepInput {
        step_id: step_id.clone(),
        values,
        coi: Some(coi.clone()).filter(|c| !c.is_empty()),
    };
    let recorded = sign(req, viewer, &form, SignatureMeaning::Performed, {
        let number = number.clone();
        move |conn, who, signer| batches::record_step(conn, who, &number, input, position, signer)
    })
    .await?;
    match recorded {
        Ok(_) => Ok(see_other(&format!(
            "/batches/{number}?recorded={step_id}#step-{step_id}"
        ))),
        Err(error) => refused(
            viewer,
            context,
            &step_id,
            &form,
            (&typed, &coi, position),
            error,
        ),
    }
}

/// Stores the files chosen for the step's attachment fields (as `POST /api/v1/attachments`
/// does) and puts each one's SHA-256 in its field, in place of any chosen before.
async fn attach(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    step: &Step,
    uploads: Vec<Upload>,
    form: &mut Vec<(String, String)>,
) -> Result<(), WebError> {
    for upload in uploads {
        let is_attachment = step.fields.iter().any(|f| {
            f.kind == FieldType::Attachment && step_form::input_name(&f.id) == upload.field
        });
        if !is_attachment {
            continue;
        }
        let who = viewer.who.clone();
        let file = crate::services::attachments::File {
            content_type: upload.content_type,
            bytes: upload.bytes,
        };
        let (sha256, _) = state
            .db
            .run(move |conn| crate::services::attachments::store(conn, &who, file))
            .await?;
        form.retain(|(name, _)| *name != upload.field);
        form.push((upload.field, sha256));
    }
    Ok(())
}

/// A refused recording: a wrong password back in the signature dialog, anything else back in
/// the form beside the field it concerns, with everything typed.
fn refused(
    viewer: &Viewer,
    context: Context,
    step_id: &str,
    form: &[(String, String)],
    (typed, coi, position): (&BTreeMap<String, String>, &str, Option<i64>),
    error: AppError,
) -> Result<HttpResponse, WebError> {
    let status = error.status_code();
    let refusal = Refusal::of(viewer, &error);
    if let Some(message) = refusal.at_password() {
        let step = step_of(&context.template, step_id)?;
        let shown = sign_page(viewer, &context, step, form, position, Some(message), None)?;
        return Ok(page(viewer, status, &shown));
    }
    let (message, detail) = refusal.above();
    let mut field_errors = BTreeMap::new();
    let mut coi_error = None;
    let mut general = None;
    match refusal.member() {
        Some("coi") => coi_error = Some(message.clone()),
        Some(field)
            if typed.contains_key(field)
                || context
                    .template
                    .step(step_id)
                    .is_some_and(|(_, s)| s.fields.iter().any(|f| f.id == field)) =>
        {
            field_errors.insert(field.to_owned(), format!("{message} ({detail})"));
        }
        _ => general = Some((message, detail)),
    }
    let shown = step_page(
        viewer,
        context,
        step_id,
        typed,
        coi,
        (field_errors, coi_error, general),
    )?;
    Ok(page(viewer, status, &shown))
}

fn sign_page(
    viewer: &Viewer,
    context: &Context,
    step: &Step,
    form: &[(String, String)],
    position: Option<i64>,
    password_error: Option<String>,
    error: Option<(String, String)>,
) -> Result<SignPage, WebError> {
    let number = &context.batch.batch_number;
    let typed = step_form::typed_values(step, form);
    let zone = viewer.zone;
    let mut summary = vec![];
    let coi = field(form, "coi");
    if step.coi {
        summary.push((viewer.tr.t("coi-confirmation"), coi.clone(), None));
    }
    for f in &step.fields {
        let text = typed.get(&f.id).cloned().unwrap_or_default();
        let shown = match f.kind {
            FieldType::Datetime => step_form::local_to_rfc3339(&text, zone)
                .map(|v| step_form::show_datetime(&v, zone, viewer.tr))
                .unwrap_or(text),
            FieldType::Boolean => match text.as_str() {
                "true" => viewer.tr.t("yes"),
                "false" => viewer.tr.t("no"),
                _ => text,
            },
            _ => text,
        };
        summary.push((f.label.clone(), shown, f.unit.clone()));
    }
    let mut carried: Vec<(String, String)> = typed
        .iter()
        .map(|(id, value)| (step_form::input_name(id), value.clone()))
        .collect();
    carried.push(("coi".to_owned(), coi));
    let action = format!("/batches/{number}/steps/{}", step.id);
    let (title, meaning) = ((action, step.title.clone()), SignatureMeaning::Performed);
    let mut shown = SignPage::new(viewer, &context.batch, title, meaning, summary, carried);
    shown.signature.password_error = password_error;
    shown.error = error;
    shown.position = position.unwrap_or(context.batch.position);
    shown.multipart = true;
    Ok(shown)
}

/// The signature dialog for verifying the latest record of a step.
pub async fn verify_form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let (number, step_id) = path.into_inner();
    let context = context(state, number).await?;
    let shown = verify_page(viewer, &context, &step_id, None, None)?;
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn verify_page(
    viewer: &Viewer,
    context: &Context,
    step_id: &str,
    password_error: Option<String>,
    error: Option<(String, String)>,
) -> Result<SignPage, WebError> {
    let step = step_of(&context.template, step_id)?;
    let view = context
        .batch
        .steps
        .iter()
        .find(|s| s.step_id == step_id)
        .ok_or(WebError::NotFound)?;
    let record = view.records.last().ok_or(WebError::NotFound)?;
    let zone = viewer.zone;
    let mut summary = vec![(
        viewer.tr.t("performed-by"),
        record.performed_by.clone(),
        None,
    )];
    for f in &step.fields {
        if let Some(value) = record.values.get(&f.id) {
            let shown = super::batches::show_value(&value.value, f.kind, zone, viewer.tr);
            summary.push((f.label.clone(), shown, f.unit.clone()));
        }
    }
    let number = &context.batch.batch_number;
    let action = format!("/batches/{number}/steps/{step_id}/verify");
    let carried = vec![("record".to_owned(), record.record.to_string())];
    let (title, meaning) = ((action, step.title.clone()), SignatureMeaning::Verified);
    let mut shown = SignPage::new(viewer, &context.batch, title, meaning, summary, carried);
    shown.signature.password_error = password_error;
    shown.error = error;
    shown.editable = false;
    Ok(shown)
}

/// A second person's verification, signed (`verified`); a refusal (the performer verifying
/// their own step, a wrong password) comes back in the dialog as a readable message.
pub async fn verify(request: PostedForm, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, step_id) = path.into_inner();
    let context = context(state, number.clone()).await?;
    let record: Option<u32> = field(form, "record").parse().ok();
    let position = position(form);
    let verified = sign(req, viewer, form, SignatureMeaning::Verified, {
        let (number, step_id) = (number.clone(), step_id.clone());
        move |conn, who, signer| {
            batches::verify_step(conn, who, &number, (&step_id, record), position, signer)
        }
    })
    .await?;
    match verified {
        Ok(_) => Ok(see_other(&format!(
            "/batches/{number}?verified={step_id}#step-{step_id}"
        ))),
        Err(error) => {
            let refusal = Refusal::of(viewer, &error);
            let (password_error, general) = match refusal.at_password() {
                Some(message) => (Some(message), None),
                None => (None, Some(refusal.above())),
            };
            let shown = verify_page(viewer, &context, &step_id, password_error, general)?;
            Ok(page(viewer, error.status_code(), &shown))
        }
    }
}
