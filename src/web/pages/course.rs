//! QA decides a batch's course: a hold, its lifting, or termination, each with its reason and
//! signed `approved`, as `POST .../hold`, `.../resume` and `.../terminate` do.

use actix_web::http::StatusCode;
use actix_web::web;

use super::page;
use crate::auth::SignatureMeaning;
use crate::domain::batch::supervision::Course;
use crate::services::batches::{self, BatchView, Supervision};
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::review::{Flow, FormPage};
use crate::web::signing::{self, field, FormErrors, Input};
use crate::web::{Answer, WebError};

fn course_of(name: &str) -> Result<Course, WebError> {
    match name {
        "hold" => Ok(Course::Hold),
        "resume" => Ok(Course::Resume),
        "terminate" => Ok(Course::Terminate),
        _ => Err(WebError::NotFound),
    }
}

fn course_form(
    viewer: &Viewer,
    batch: &BatchView,
    name: &str,
    form: &[(String, String)],
    (at, general): FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let action = format!("/batches/{number}/course/{name}");
    let mut shown = FormPage::new(viewer, batch, action, tr.t(&format!("course-{name}")));
    if let Some(reason) = &batch.hold {
        shown.facts.push((tr.t("batch-on-hold"), reason.clone()));
    }
    shown.inputs = vec![Input::new("reason", tr.t("course-reason"), "textarea")
        .hint(Some(tr.t(&format!("course-{name}-hint"))))
        .from(form, &at)];
    shown.error = general;
    shown.back = format!("/batches/{number}/deviations");
    shown
}

pub async fn form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let (number, name) = path.into_inner();
    course_of(&name)?;
    let (batch, _) = signing::batch_and_template(state, number).await?;
    let shown = course_form(viewer, &batch, &name, &[], (None, None));
    Ok(page(viewer, StatusCode::OK, &shown))
}

pub async fn submit(request: PostedForm, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, name) = path.into_inner();
    let course = course_of(&name)?;
    let (batch, _) = signing::batch_and_template(state, number.clone()).await?;
    let tr = viewer.tr;
    let reason = field(form, "reason");
    let command = Supervision::Course {
        course,
        reason: reason.clone(),
    };
    let flow = Flow {
        req,
        viewer,
        batch: &batch,
        form,
        action: format!("/batches/{number}/course/{name}"),
        title: tr.t(&format!("course-{name}")),
        meaning: SignatureMeaning::Approved,
        carried: &["reason"],
        summary: vec![(tr.t("course-reason"), reason, None)],
        done: format!("/batches/{number}/deviations?done={name}"),
    };
    signing::review::flow(
        flow,
        |errors| course_form(viewer, &batch, &name, form, errors),
        move |conn, who, signer, position| {
            batches::supervise(conn, who, &number, command, position, Some(signer)).map(drop)
        },
    )
    .await
}
