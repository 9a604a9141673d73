//! The ledger incident in the browser, reached from the banner of a read-only instance: what
//! the instance found and whether the ledger verifies again, QA's signed record of the cause
//! and of what was done, and an administrator's signed confirmation, as the API takes them
//! (`/api/v1/ledger/incidents`). The rules are the domain's (`domain::incident`).

use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use askama::Template;

use super::{page, see_other};
use crate::auth::SignatureMeaning;
use crate::domain::incident::Incident;
use crate::domain::incident::Step;
use crate::edge::verified_then_signed;
use crate::services::incidents::Status;
use crate::web::frame::Frame;
use crate::web::session::{self, PageRequest, Posted, Viewer};
use crate::web::signing::plain::SignActionPage;
use crate::web::signing::step::show_datetime;
use crate::web::signing::{field, signature, Input, Typed};
use crate::web::{Answer, WebError};

/// One incident as the page lists it, times in the site's zone.
pub struct IncidentLine {
    pub number: u32,
    pub finding: String,
    pub cause: String,
    pub actions: String,
    pub recorded: String,
    pub confirmed: Option<String>,
}

impl IncidentLine {
    fn of(incident: &Incident, viewer: &Viewer) -> IncidentLine {
        let at = |time: &str| show_datetime(time, viewer.zone, viewer.tr);
        IncidentLine {
            number: incident.number,
            finding: format!(
                "seq {}: {}",
                incident.finding.first_bad_seq, incident.finding.reason
            ),
            cause: incident.cause.clone(),
            actions: incident.actions.clone(),
            recorded: format!("{} · {}", incident.recorded_by, at(&incident.recorded_at)),
            confirmed: incident
                .confirmed_by
                .as_ref()
                .zip(incident.confirmed_at.as_ref())
                .map(|(by, when)| format!("{by} · {}", at(when))),
        }
    }
}

#[derive(Template)]
#[template(path = "ui/incident.html")]
struct IncidentPage {
    frame: Frame,
    /// What the instance found, when it does not trust its ledger.
    finding: Option<String>,
    since: Option<String>,
    /// When the ledger verified again; `None` while it does not.
    verified_at: Option<String>,
    open: Option<IncidentLine>,
    /// The step this viewer may take now: `record` (QA) or `confirm` (an administrator).
    next: Option<&'static str>,
    history: Vec<IncidentLine>,
    done: Option<String>,
}

async fn status(req: &HttpRequest) -> Result<Status, WebError> {
    Ok(session::state(req)?
        .db
        .run(crate::services::incidents::status)
        .await?)
}

pub async fn show(request: PageRequest) -> Answer {
    let (req, viewer, _, done) = request.parts();
    let status = status(req).await?;
    let at = |time: &str| show_datetime(time, viewer.zone, viewer.tr);
    let open = status.open().cloned();
    let next = match crate::services::incidents::next_step(&status, &viewer.who) {
        Some(Step::Record) => Some("record"),
        Some(Step::Confirm) => Some("confirm"),
        None => None,
    };
    let shown = IncidentPage {
        frame: Frame::of(viewer, "/ledger/incident"),
        finding: status
            .distrust
            .as_ref()
            .map(|d| format!("seq {}: {}", d.seq, d.reason)),
        since: status.distrust.as_ref().map(|d| at(&d.since)),
        verified_at: status
            .distrust
            .as_ref()
            .and_then(|d| d.verified_at.as_deref())
            .map(at),
        open: open.as_ref().map(|i| IncidentLine::of(i, viewer)),
        next,
        history: status
            .incidents
            .0
            .iter()
            .rev()
            .map(|i| IncidentLine::of(i, viewer))
            .collect(),
        done: viewer.tr.notice("incident-done-", done.done.as_deref()),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn finding_summary(viewer: &Viewer, status: &Status) -> Vec<(String, String)> {
    let tr = viewer.tr;
    let Some(distrust) = &status.distrust else {
        return vec![];
    };
    vec![
        (
            tr.t("incident-finding"),
            format!("seq {}: {}", distrust.seq, distrust.reason),
        ),
        (
            tr.t("incident-since"),
            show_datetime(&distrust.since, viewer.zone, tr),
        ),
    ]
}

fn record_dialog(viewer: &Viewer, status: &Status, form: &Typed) -> SignActionPage {
    let tr = viewer.tr;
    let mut dialog = SignActionPage::new(
        viewer,
        "/ledger/incident/record",
        tr.t("incident-record-title"),
        SignatureMeaning::Approved,
        finding_summary(viewer, status),
    );
    dialog.inputs = vec![
        Input::text("cause", tr.t("incident-cause"), form).hint(tr.t("incident-cause-hint")),
        Input::text("actions", tr.t("incident-actions"), form).hint(tr.t("incident-actions-hint")),
    ];
    dialog.back = "/ledger/incident".to_owned();
    dialog
}

fn confirm_dialog(viewer: &Viewer, status: &Status) -> SignActionPage {
    let tr = viewer.tr;
    let mut summary = finding_summary(viewer, status);
    if let Some(open) = status.open() {
        let line = IncidentLine::of(open, viewer);
        summary.push((tr.t("incident-cause"), line.cause));
        summary.push((tr.t("incident-actions"), line.actions));
        summary.push((tr.t("incident-recorded-by"), line.recorded));
    }
    let mut dialog = SignActionPage::new(
        viewer,
        "/ledger/incident/confirm",
        tr.t("incident-confirm-title"),
        SignatureMeaning::Verified,
        summary,
    );
    dialog.back = "/ledger/incident".to_owned();
    dialog
}

pub async fn record_form(request: PageRequest) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let status = status(req).await?;
    Ok(record_dialog(viewer, &status, &vec![]).show(viewer))
}

/// QA's record, as `POST /api/v1/ledger/incidents`.
pub async fn record(request: PageRequest, Posted(form): Posted<Typed>) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let meaning = SignatureMeaning::Approved;
    let (cause, actions) = (field(&form, "cause"), field(&form, "actions"));
    let done = verified_then_signed(
        req,
        state,
        viewer.who.clone(),
        (signature(&form, meaning), meaning),
        move |conn, who, signer| {
            crate::services::incidents::record(conn, who, signer, (&cause, &actions))
        },
    )
    .await;
    match done {
        Ok(_) => Ok(see_other("/ledger/incident?done=recorded")),
        Err(error) => {
            let status = status(req).await?;
            Ok(record_dialog(viewer, &status, &form).refused(viewer, &error))
        }
    }
}

pub async fn confirm_form(request: PageRequest) -> Answer {
    let (req, viewer, _, _) = request.parts();
    let status = status(req).await?;
    Ok(confirm_dialog(viewer, &status).show(viewer))
}

/// The administrator's confirmation, as `POST /api/v1/ledger/incidents/confirm`.
pub async fn confirm(request: PageRequest, Posted(form): Posted<Typed>) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let meaning = SignatureMeaning::Verified;
    let done = verified_then_signed(
        req,
        state,
        viewer.who.clone(),
        (signature(&form, meaning), meaning),
        crate::services::incidents::confirm,
    )
    .await;
    match done {
        Ok(_) => Ok(see_other("/ledger/incident?done=confirmed")),
        Err(error) => {
            let status = status(req).await?;
            Ok(confirm_dialog(viewer, &status).refused(viewer, &error))
        }
    }
}
