//! QA's decisions on a deviation: its classification (minor, major, critical), then its
//! closure with the investigation, root cause and CAPA reference, signed `approved`, as
//! `POST .../classify` and `.../close` do. The order and who may decide are the domain's.

use actix_web::http::StatusCode;
use actix_web::{web, ResponseError};

use super::deviations::unsigned;
use super::{page, see_other};
use crate::auth::SignatureMeaning;
use crate::domain::batch::Classification;
use crate::services::batches::view::DeviationView;
use crate::services::batches::{self, BatchView, Supervision};
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::review::{Flow, FormPage};
use crate::web::signing::{self, field, FormErrors, Input, Refusal};
use crate::web::{Answer, WebError};

fn deviation(batch: &BatchView, id: u32) -> Result<&DeviationView, WebError> {
    batch
        .deviations
        .iter()
        .find(|d| d.deviation_id == id)
        .ok_or(WebError::NotFound)
}

fn about(viewer: &Viewer, d: &DeviationView) -> Vec<(String, String)> {
    let tr = viewer.tr;
    let mut facts = vec![(tr.t("deviation-description"), d.description.clone())];
    if let Some(c) = d.classification {
        facts.push((
            tr.t("deviation-classification"),
            tr.t(&format!("classification-{c}")),
        ));
    }
    facts
}

fn classify_form(
    viewer: &Viewer,
    batch: &BatchView,
    d: &DeviationView,
    form: &[(String, String)],
    (at, general): FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let action = format!("/batches/{number}/deviations/{}/classify", d.deviation_id);
    let title = tr.t1(
        "deviation-classify-title",
        "id",
        &d.deviation_id.to_string(),
    );
    let mut shown = FormPage::new(viewer, batch, action, title);
    shown.facts = about(viewer, d);
    let options = ["minor", "major", "critical"]
        .iter()
        .map(|c| ((*c).to_owned(), tr.t(&format!("classification-{c}"))))
        .collect();
    let mut input = Input::new("classification", tr.t("deviation-classification"), "radio")
        .options(options)
        .hint(Some(tr.t("deviation-classification-hint")))
        .from(form, &at);
    if form.is_empty() {
        input.value = d.classification.unwrap_or_default().to_owned();
    }
    shown.inputs = vec![input];
    shown.error = general;
    shown.submit = tr.t("deviation-classify");
    shown.back = format!("/batches/{number}/deviations");
    shown
}

/// Lays out a form about one deviation: with what was typed and where a refusal goes.
type DeviationForm =
    fn(&Viewer, &BatchView, &DeviationView, &[(String, String)], FormErrors) -> FormPage;

/// A form about deviation `id` of batch `number`, as `build` lays it out, empty.
async fn about_deviation(
    request: PageRequest,
    (number, id): (String, u32),
    build: DeviationForm,
) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let batch = signing::batch(state, number).await?;
    let shown = build(viewer, &batch, deviation(&batch, id)?, &[], (None, None));
    Ok(page(viewer, StatusCode::OK, &shown))
}

pub async fn classify_page(request: PageRequest, path: web::Path<(String, u32)>) -> Answer {
    about_deviation(request, path.into_inner(), classify_form).await
}

pub async fn classify(request: PostedForm, path: web::Path<(String, u32)>) -> Answer {
    let (_req, viewer, state, form) = request.parts();
    let (number, id) = path.into_inner();
    let batch = signing::batch(state, number.clone()).await?;
    let d = deviation(&batch, id)?;
    let chosen = match field(form, "classification").as_str() {
        "minor" => Some(Classification::Minor),
        "major" => Some(Classification::Major),
        "critical" => Some(Classification::Critical),
        _ => None,
    };
    let Some(classification) = chosen else {
        let message = viewer.tr.t("deviation-choose-classification");
        let shown = classify_form(
            viewer,
            &batch,
            d,
            form,
            (Some(("classification".to_owned(), message)), None),
        );
        return Ok(page(viewer, StatusCode::UNPROCESSABLE_ENTITY, &shown));
    };
    let command = Supervision::Classify {
        deviation_id: id,
        classification,
    };
    match unsigned(state, viewer, form, number.clone(), command).await {
        Ok(()) => Ok(see_other(&format!(
            "/batches/{number}/deviations?done=classified#deviation-{id}"
        ))),
        Err(error) => {
            let errors = Refusal::of(viewer, &error).form_errors();
            let shown = classify_form(viewer, &batch, d, form, errors).settled();
            Ok(page(viewer, error.status_code(), &shown))
        }
    }
}

fn close_form(
    viewer: &Viewer,
    batch: &BatchView,
    d: &DeviationView,
    form: &[(String, String)],
    (at, general): FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let action = format!("/batches/{number}/deviations/{}/close", d.deviation_id);
    let title = tr.t1("deviation-close-title", "id", &d.deviation_id.to_string());
    let mut shown = FormPage::new(viewer, batch, action, title);
    shown.facts = about(viewer, d);
    shown.inputs = vec![
        Input::new("investigation", tr.t("deviation-investigation"), "textarea").from(form, &at),
        Input::new("root_cause", tr.t("deviation-root-cause"), "textarea").from(form, &at),
        Input::new("capa_ref", tr.t("deviation-capa"), "text")
            .hint(Some(tr.t("deviation-capa-hint")))
            .from(form, &at),
    ];
    shown.error = general;
    shown.back = format!("/batches/{number}/deviations");
    shown
}

pub async fn close_page(request: PageRequest, path: web::Path<(String, u32)>) -> Answer {
    about_deviation(request, path.into_inner(), close_form).await
}

/// QA closes a deviation, signed `approved`, as `POST .../close` does.
pub async fn close(request: PostedForm, path: web::Path<(String, u32)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, id) = path.into_inner();
    let batch = signing::batch(state, number.clone()).await?;
    let d = deviation(&batch, id)?;
    let tr = viewer.tr;
    let command = Supervision::Close {
        deviation_id: id,
        investigation: field(form, "investigation"),
        root_cause: field(form, "root_cause"),
        capa_ref: field(form, "capa_ref"),
    };
    let mut summary: Vec<_> = about(viewer, d)
        .into_iter()
        .map(|(l, v)| (l, v, None))
        .collect();
    for (name, label) in [
        ("investigation", "deviation-investigation"),
        ("root_cause", "deviation-root-cause"),
        ("capa_ref", "deviation-capa"),
    ] {
        summary.push((tr.t(label), field(form, name), None));
    }
    let flow = Flow {
        req,
        viewer,
        batch: &batch,
        form,
        action: format!("/batches/{number}/deviations/{id}/close"),
        title: tr.t1("deviation-close-title", "id", &id.to_string()),
        meaning: SignatureMeaning::Approved,
        carried: &["investigation", "root_cause", "capa_ref"],
        summary,
        done: format!("/batches/{number}/deviations?done=closed#deviation-{id}"),
    };
    signing::review::flow(
        flow,
        |errors| close_form(viewer, &batch, d, form, errors),
        move |conn, who, signer, position| {
            batches::supervise(conn, who, &number, command, position, Some(signer)).map(drop)
        },
    )
    .await
}
