//! Process templates (master batch records): every version with its status, one version shown
//! as people read it (stages, steps, fields with their units and ranges, QC tests with their
//! specifications), and QA's signed approval of a draft. The same `templates` functions as
//! `/api/v1/templates`; the rules are in `domain::template::lifecycle`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use askama::Template;

use super::batches::StageShown;
use super::{page, see_other};
use crate::auth::{Action, SignatureMeaning};
use crate::domain::template::lifecycle::{TemplateVersion, VersionStatus};
use crate::domain::template::{Field, QcSpec, Template as ProcessTemplate};
use crate::error::AppError;
use crate::services::projections::templates::{self as rows, TemplateRow};
use crate::web::frame::Frame;
use crate::web::i18n::Tr;
use crate::web::session::{self, PageRequest, Posted, Viewer};
use crate::web::signing::plain::SignActionPage;
use crate::web::signing::Typed;
use crate::web::{signing, Answer, WebError};

#[derive(Template)]
#[template(path = "ui/templates.html")]
struct ListPage {
    frame: Frame,
    versions: Vec<(TemplateRow, String)>,
    done: Option<String>,
}

pub async fn list(request: PageRequest) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let found = state
        .db
        .run(|conn| rows::list(conn).map_err(AppError::from))
        .await?;
    let tr = viewer.tr;
    let shown = ListPage {
        frame: Frame::of(viewer, "/templates"),
        versions: found
            .into_iter()
            .map(|row| {
                let status = tr.t(&format!("template-status-{}", row.status));
                (row, status)
            })
            .collect(),
        done: done
            .approved
            .as_deref()
            .map(|v| tr.t1("template-approved-notice", "version", v)),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

pub struct StepShown {
    pub id: String,
    pub title: String,
    pub role: String,
    /// Verification by a second person, chain-of-identity confirmation, repeatable.
    pub flags: Vec<String>,
    pub fields: Vec<FieldShown>,
}

pub struct FieldShown {
    pub label: String,
    pub kind: String,
    pub unit: String,
    pub range: String,
    pub required: bool,
    /// Choices or the material a lot must be of.
    pub allowed: String,
}

fn range(min: Option<String>, max: Option<String>, tr: Tr) -> String {
    let shown = |l: Option<String>| l.map(|t| tr.decimal(&t));
    match (shown(min), shown(max)) {
        (Some(min), Some(max)) => format!("{min} – {max}"),
        (Some(min), None) => format!("≥ {min}"),
        (None, Some(max)) => format!("≤ {max}"),
        (None, None) => String::new(),
    }
}

fn field_shown(field: &Field, tr: Tr) -> FieldShown {
    let kind = serde_json::to_value(field.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let allowed = match &field.material {
        Some(material) => tr.t1("template-material", "material", material),
        None => field.choices.join(", "),
    };
    FieldShown {
        label: field.label.clone(),
        kind: tr.t(&format!("field-type-{kind}")),
        unit: field.unit.clone().unwrap_or_default(),
        range: range(
            field.min.as_ref().map(|l| l.to_string()),
            field.max.as_ref().map(|l| l.to_string()),
            tr,
        ),
        required: field.required,
        allowed,
    }
}

fn stages(template: &ProcessTemplate, tr: Tr) -> Vec<StageShown<StepShown>> {
    template
        .stages
        .iter()
        .map(|stage| StageShown {
            title: stage.title.clone(),
            steps: stage
                .steps
                .iter()
                .map(|step| {
                    let flags = [
                        (step.verify, "template-step-verify"),
                        (step.coi, "template-step-coi"),
                        (step.repeatable, "template-step-repeatable"),
                    ];
                    StepShown {
                        id: step.id.clone(),
                        title: step.title.clone(),
                        role: tr.t(&format!("role-{}", step.role.as_str())),
                        flags: flags
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, id)| tr.t(id))
                            .collect(),
                        fields: step.fields.iter().map(|f| field_shown(f, tr)).collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// A QC test's specification as people read it.
fn spec(spec: &QcSpec, tr: Tr) -> String {
    let with_unit = |text: String, unit: &Option<String>| match unit {
        Some(unit) => format!("{text} {unit}"),
        None => text,
    };
    match spec {
        QcSpec::Range { min, max, unit } => with_unit(
            range(
                min.as_ref().map(|d| d.as_str().to_owned()),
                max.as_ref().map(|d| d.as_str().to_owned()),
                tr,
            ),
            unit,
        ),
        QcSpec::PassFail => tr.t("template-spec-pass-fail"),
        QcSpec::Report { unit } => with_unit(tr.t("template-spec-report"), unit),
        QcSpec::ExpectedText { expected } => tr.t1("template-spec-expected", "expected", expected),
    }
}

#[derive(Template)]
#[template(path = "ui/template.html")]
struct ShowPage {
    frame: Frame,
    code: String,
    title: String,
    version: u32,
    status: String,
    sha256: String,
    imported_by: String,
    approved_by: Option<String>,
    stages: Vec<StageShown<StepShown>>,
    /// (title, method, specification).
    qc_tests: Vec<(String, String, String)>,
    shipping: Option<String>,
    can_approve: bool,
}

async fn version(
    req: &HttpRequest,
    code: String,
    number: u32,
) -> Result<(TemplateVersion, ProcessTemplate), WebError> {
    let state = session::state(req)?;
    let found = state
        .db
        .run(move |conn| {
            let history = crate::services::templates::history(conn, &code)?;
            Ok::<_, crate::error::ServiceError>(history.version(number).cloned())
        })
        .await?
        .ok_or(WebError::NotFound)?;
    let parsed = ProcessTemplate::parse(found.imported.source.as_bytes())
        .map_err(|e| WebError::App(e.into()))?;
    Ok((found, parsed))
}

pub async fn show(request: PageRequest, path: web::Path<(String, u32)>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (code, number) = path.into_inner();
    let (found, template) = version(req, code, number).await?;
    let tr = viewer.tr;
    let shown = ShowPage {
        frame: Frame::of(viewer, &format!("/templates/{}/{number}", template.code)),
        title: template.title.clone(),
        version: number,
        status: tr.t(&format!("template-status-{}", found.status.as_str())),
        sha256: found.imported.source_sha256.clone(),
        imported_by: found.imported_by.clone(),
        approved_by: found.approved_by.clone(),
        stages: stages(&template, tr),
        qc_tests: template
            .qc_tests
            .iter()
            .map(|t| (t.title.clone(), t.method.clone(), spec(&t.spec, tr)))
            .collect(),
        shipping: template
            .shipping
            .as_ref()
            .map(|s| format!("≤ {} °C", tr.decimal(s.max_temperature_c.as_str()))),
        can_approve: viewer.can(Action::ManageTemplates) && found.status == VersionStatus::Draft,
        code: template.code,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn approve_dialog(
    viewer: &Viewer,
    found: &TemplateVersion,
    template: &ProcessTemplate,
) -> SignActionPage {
    let tr = viewer.tr;
    let number = found.imported.version;
    let summary = vec![
        (tr.t("template-code"), template.code.clone()),
        (tr.t("template-version"), number.to_string()),
        (tr.t("template-title"), template.title.clone()),
        (
            tr.t("template-sha256"),
            found.imported.source_sha256.clone(),
        ),
        (tr.t("template-imported-by"), found.imported_by.clone()),
    ];
    let here = format!("/templates/{}/{number}/approve", template.code);
    let mut dialog = SignActionPage::new(
        viewer,
        &here,
        tr.t1(
            "template-approve-title",
            "template",
            &format!("{} v{number}", template.code),
        ),
        SignatureMeaning::Approved,
        summary,
    );
    dialog.back = format!("/templates/{}/{number}", template.code);
    dialog
}

pub async fn approve_form(request: PageRequest, path: web::Path<(String, u32)>) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (code, number) = path.into_inner();
    let (found, template) = version(req, code, number).await?;
    Ok(approve_dialog(viewer, &found, &template).show(viewer))
}

/// QA's signed approval, as `POST /api/v1/templates/{code}/versions/{version}/approve`.
pub async fn approve(
    request: PageRequest,
    path: web::Path<(String, u32)>,
    Posted(typed): Posted<Typed>,
) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let (code, number) = path.into_inner();
    let meaning = SignatureMeaning::Approved;
    let approved = signing::sign(req, viewer, &typed, meaning, {
        let code = code.clone();
        move |conn, who, signer| {
            crate::services::templates::approve(conn, &who.actor(), &code, number, signer)
        }
    })
    .await?;
    match approved {
        Ok(row) => Ok(see_other(&format!(
            "/templates?approved={}%20v{}",
            row.code, row.version
        ))),
        Err(error) => {
            let (found, template) = version(req, code, number).await?;
            Ok(approve_dialog(viewer, &found, &template).refused(viewer, &error))
        }
    }
}
