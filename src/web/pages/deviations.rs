//! Deviations: a batch's list with what QA may do on each, one raised by hand (operator or
//! QA), classified by QA, and closed by QA with the investigation, root cause and CAPA
//! reference, signed `approved`; and QA's list of open deviations across batches. The rules
//! (who, in which order) are the domain's.

use actix_web::http::StatusCode;
use actix_web::{web, ResponseError};
use askama::Template;

use super::batches::BatchHeading;
use super::pager::{CursorQuery, Pager};
use super::{page, see_other};
use crate::auth::Action;
use crate::domain::batch::DeviationState;
use crate::domain::template::Template as ProcessTemplate;
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::batches::view::DeviationView;
use crate::services::batches::{self, BatchView, Supervision};
use crate::services::paging::{Page, PageSpec};
use crate::services::projections::batches::{self as rows, OpenDeviationRow};
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::review::FormPage;
use crate::web::signing::step::show_datetime;
use crate::web::signing::{self, field, FormErrors, Input, Refusal};
use crate::web::{Answer, WebError};

pub struct DeviationShown {
    pub id: u32,
    pub description: String,
    pub origin: String,
    pub step: Option<String>,
    pub raised: String,
    pub open: bool,
    pub state_label: String,
    pub classification: Option<String>,
    /// Investigation, root cause, CAPA reference, and who closed it when.
    pub closure: Option<(String, String, String, String)>,
    pub can_classify: bool,
    pub can_close: bool,
}

fn shown(d: &DeviationView, template: &ProcessTemplate, viewer: &Viewer) -> DeviationShown {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let qa = viewer.can(Action::SuperviseBatch);
    let open = d.state == DeviationState::Open;
    DeviationShown {
        id: d.deviation_id,
        description: d.description.clone(),
        origin: tr.t(if d.automatic {
            "deviation-automatic"
        } else {
            "deviation-by-hand"
        }),
        step: d.step_id.as_ref().map(|id| {
            template
                .step(id)
                .map_or_else(|| id.clone(), |(_, s)| s.title.clone())
        }),
        raised: format!(
            "{} · {}",
            d.raised_by,
            show_datetime(&d.raised_at, zone, tr)
        ),
        open,
        state_label: tr.t(&format!("deviation-{}", d.state.as_str())),
        classification: d
            .classification
            .map(|c| tr.t(&format!("classification-{c}"))),
        closure: d.closure.as_ref().map(|c| {
            let closed = format!(
                "{} · {}",
                c.closed_by,
                show_datetime(&c.closed_at, zone, tr)
            );
            (
                c.investigation.clone(),
                c.root_cause.clone(),
                c.capa_ref.clone(),
                closed,
            )
        }),
        can_classify: qa && open,
        can_close: qa && open && d.classification.is_some(),
    }
}

#[derive(Template)]
#[template(path = "ui/deviations.html")]
struct BatchDeviations {
    frame: Frame,
    heading: BatchHeading,
    deviations: Vec<DeviationShown>,
    can_raise: bool,
    can_supervise: bool,
    on_hold: Option<String>,
    terminated: Option<String>,
    done: Option<String>,
}

pub async fn of_batch(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let (batch, template) = signing::batch_and_template(state, path.into_inner()).await?;
    let done = done
        .done
        .as_deref()
        .filter(|d| d.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(|d| viewer.tr.t(&format!("done-{d}")));
    let listed = BatchDeviations {
        frame: Frame::of(
            viewer,
            &format!("/batches/{}/deviations", batch.batch_number),
        ),
        heading: BatchHeading::of(&batch, viewer.tr),
        deviations: batch
            .deviations
            .iter()
            .map(|d| shown(d, &template, viewer))
            .collect(),
        can_raise: viewer.can(Action::RaiseDeviation),
        can_supervise: viewer.can(Action::SuperviseBatch),
        on_hold: batch.hold.clone(),
        terminated: batch.terminated.clone(),
        done,
    };
    Ok(page(viewer, StatusCode::OK, &listed))
}

/// An open deviation in QA's list across batches.
pub struct OpenLine {
    pub batch_number: String,
    pub deviation: DeviationShown,
}

#[derive(Template)]
#[template(path = "ui/deviations_open.html")]
struct OpenDeviations {
    frame: Frame,
    lines: Vec<OpenLine>,
    pager: Pager,
    error: Option<String>,
}

/// One page of the open deviations of every batch, from their projection rows: as many
/// queries with a thousand open batches as with one.
pub async fn open_lines(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    page: PageSpec,
) -> Result<Page<OpenLine>, WebError> {
    let found = state
        .db
        .run(move |conn| rows::open_deviation_list(conn, &page).map_err(AppError::from))
        .await?;
    Ok(found.map(|row| open_line(row, viewer)))
}

fn open_line(row: OpenDeviationRow, viewer: &Viewer) -> OpenLine {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let qa = viewer.can(Action::SuperviseBatch);
    let classified = row.classification.is_some();
    let deviation = DeviationShown {
        id: u32::try_from(row.deviation_id).unwrap_or_default(),
        description: row.description,
        origin: tr.t(if row.automatic {
            "deviation-automatic"
        } else {
            "deviation-by-hand"
        }),
        step: row.step_title,
        raised: format!(
            "{} · {}",
            row.raised_by,
            show_datetime(&row.raised_at, zone, tr)
        ),
        open: true,
        state_label: tr.t(&format!("deviation-{}", DeviationState::Open.as_str())),
        classification: row
            .classification
            .map(|c| tr.t(&format!("classification-{c}"))),
        closure: None,
        can_classify: qa,
        can_close: qa && classified,
    };
    OpenLine {
        batch_number: row.batch_number,
        deviation,
    }
}

pub async fn open(request: PageRequest, asked: web::Query<CursorQuery>) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let (spec, error) = match asked.spec(viewer.tr) {
        Ok(spec) => (spec, None),
        Err(message) => (PageSpec::default(), Some(message)),
    };
    let found = open_lines(state, viewer, spec).await?;
    let listed = OpenDeviations {
        frame: Frame::of(viewer, "/deviations"),
        pager: Pager::of(&found, viewer.tr, "/deviations", &asked),
        lines: found.rows,
        error,
    };
    Ok(page(viewer, StatusCode::OK, &listed))
}

fn raise_form(
    viewer: &Viewer,
    batch: &BatchView,
    form: &[(String, String)],
    errors: FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let action = format!("/batches/{}/deviations/new", batch.batch_number);
    let mut shown = FormPage::new(viewer, batch, action, tr.t("deviation-raise"));
    let steps = batch
        .steps
        .iter()
        .map(|s| (s.step_id.clone(), s.title.clone()))
        .collect();
    let (at, general) = errors;
    shown.inputs = vec![
        Input::new("description", tr.t("deviation-description"), "textarea")
            .hint(Some(tr.t("deviation-description-hint")))
            .from(form, &at),
        Input::new("step", tr.t("deviation-step"), "select")
            .carries("step_id")
            .options(steps)
            .from(form, &at),
    ];
    shown.error = general;
    shown.submit = tr.t("deviation-raise");
    shown.back = format!("/batches/{}/deviations", batch.batch_number);
    shown
}

pub async fn raise_page(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_req, viewer, state, _) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    Ok(page(
        viewer,
        StatusCode::OK,
        &raise_form(viewer, &batch, &[], (None, None)),
    ))
}

/// Runs a command QA (or, raising, an operator) does not sign, as `POST .../deviations` and
/// `.../classify` do.
pub(super) async fn unsigned(
    state: &web::Data<AppState>,
    viewer: &Viewer,
    form: &[(String, String)],
    number: String,
    command: Supervision,
) -> Result<(), AppError> {
    let who = viewer.who.clone();
    let position = signing::position(form);
    state
        .db
        .run(move |conn| batches::supervise(conn, &who, &number, command, position, None))
        .await
        .map(drop)
        .map_err(AppError::from)
}

pub async fn raise(request: PostedForm, path: web::Path<String>) -> Answer {
    let (_req, viewer, state, form) = request.parts();
    let number = path.into_inner();
    let command = Supervision::Raise {
        description: field(form, "description"),
        step_id: Some(field(form, "step")).filter(|s| !s.is_empty()),
    };
    match unsigned(state, viewer, form, number.clone(), command).await {
        Ok(()) => Ok(see_other(&format!(
            "/batches/{number}/deviations?done=raised"
        ))),
        Err(error) => {
            let batch = signing::batch(state, number).await?;
            let errors = Refusal::of(viewer, &error).form_errors();
            let shown = raise_form(viewer, &batch, form, errors).settled();
            Ok(page(viewer, error.status_code(), &shown))
        }
    }
}
