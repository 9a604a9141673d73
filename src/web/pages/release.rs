//! The QP's office: the review by exception of a batch, the whole record (and its printable
//! form), and the decision (release, reject, release exceptionally) signed with the decision as
//! its meaning; the treating physician's request an exceptional release rests on. The review
//! and every rule are `batches::review` and `domain::batch::release`, as for the API.

use actix_web::http::StatusCode;
use actix_web::web;
use askama::Template;

use super::batches::BatchHeading;
use super::page;
use crate::auth::{Action, SignatureMeaning};
use crate::db::DbConn;
use crate::domain::batch::ReleaseDecision;
use crate::services::accounts::Principal;
use crate::services::batches::{self, BatchView};
use crate::web::frame::Frame;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::form::{self, FormPage, Posting};
use crate::web::signing::{self, field, Input};
use crate::web::{Answer, WebError};

pub struct ExceptionShown {
    pub kind: String,
    pub description: String,
    pub seq: String,
}

#[derive(Template)]
#[template(path = "ui/release_review.html")]
struct ReviewPage {
    frame: Frame,
    heading: BatchHeading,
    ready: bool,
    reasons: Vec<String>,
    exceptions: Vec<ExceptionShown>,
    /// The decisions the QP may sign now: (path, label, id).
    decisions: Vec<(String, String, String)>,
    can_print: bool,
    decided: Option<String>,
}

pub async fn review(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let number = path.into_inner();
    let late = state.late_entry_minutes;
    let (reviewed, view) = state
        .db
        .run(move |conn| {
            let reviewed = batches::review(conn, &number, late)?;
            let view = batches::record_view(conn, &number)?;
            Ok::<_, crate::error::ServiceError>((reviewed, view))
        })
        .await?;
    let tr = viewer.tr;
    let number = &view.batch_number;
    let decisions = if viewer.can(Action::CertifyBatch) {
        reviewed
            .review
            .decisions
            .iter()
            .map(|d| {
                (
                    format!("/batches/{number}/release/{}", d.as_str()),
                    tr.t(&format!("release-decide-{}", d.as_str())),
                    format!("decide-{}", d.as_str()),
                )
            })
            .collect()
    } else {
        vec![]
    };
    let shown = ReviewPage {
        frame: Frame::of(viewer, &format!("/batches/{number}/review")),
        heading: BatchHeading::of(&view, tr),
        ready: reviewed.review.ready(),
        reasons: reviewed.review.reasons.clone(),
        exceptions: reviewed
            .review
            .exceptions
            .iter()
            .map(|e| ExceptionShown {
                kind: tr.t(&format!("exception-{}", kind_name(e.kind))),
                description: e.description.clone(),
                seq: e.seq.map(|s| format!("#{s}")).unwrap_or_default(),
            })
            .collect(),
        decisions,
        can_print: viewer.can(Action::ExportBatch),
        decided: view.after_manufacturing.release.as_ref().map(|r| {
            format!(
                "{} · {}",
                tr.t(&format!("state-{}", r.decision)),
                r.decided_by
            )
        }),
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// The exception's kind as the API writes it (its message id ends with it).
fn kind_name(kind: crate::domain::batch::release::ExceptionKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn decision_of(path: &str) -> Result<ReleaseDecision, WebError> {
    ReleaseDecision::parse(path).ok_or(WebError::NotFound)
}

fn meaning_of(decision: ReleaseDecision) -> SignatureMeaning {
    match decision {
        ReleaseDecision::Released => SignatureMeaning::Released,
        ReleaseDecision::Rejected => SignatureMeaning::Rejected,
        ReleaseDecision::ReleasedExceptionally => SignatureMeaning::ReleasedExceptionally,
    }
}

fn decision_form(viewer: &Viewer, batch: &BatchView, decision: ReleaseDecision) -> FormPage {
    let tr = viewer.tr;
    let name = decision.as_str();
    let number = &batch.batch_number;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{number}/release/{name}"),
        meaning_of(decision),
    );
    shown.title = tr.t(&format!("release-decide-{name}"));
    shown.intro = vec![tr.t(&format!("release-intro-{name}"))];
    shown.facts = batch
        .after_manufacturing
        .physician_requests
        .iter()
        .map(|r| {
            (
                tr.t("physician-request"),
                format!("{} · {}", r.reason, r.requested_by),
            )
        })
        .collect();
    let justification = Input::new("justification", tr.t("release-justification"), "textarea");
    shown.inputs = vec![if decision == ReleaseDecision::Released {
        justification.optional()
    } else {
        justification
    }];
    shown.submit = tr.t(&format!("release-sign-{name}"));
    shown.back = format!("/batches/{number}/review");
    shown
}

pub async fn decision_page(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (number, decision) = path.into_inner();
    let decision = decision_of(&decision)?;
    form::opened(request, number, |viewer, batch| {
        decision_form(viewer, batch, decision)
    })
    .await
}

/// The QP's signed decision, as `POST /api/v1/batches/{n}/release` makes it.
pub async fn decide(request: PostedForm, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, decision) = path.into_inner();
    let decision = decision_of(&decision)?;
    let batch = signing::batch(state, number).await?;
    let number = batch.batch_number.clone();
    let posting = Posting {
        req,
        viewer,
        form,
        meaning: meaning_of(decision),
        done: format!("/batches/{number}/review"),
    };
    let read = || Ok(Some(field(form, "justification")).filter(|j| !j.trim().is_empty()));
    let decide = move |conn: &mut DbConn,
                       who: &Principal,
                       signer,
                       if_match,
                       justification: Option<String>| {
        let decided = (decision, justification.as_deref());
        batches::decide_release(conn, who, &number, decided, if_match, signer).map(drop)
    };
    posting
        .submit(decision_form(viewer, &batch, decision), read, decide)
        .await
}

fn request_form(viewer: &Viewer, batch: &BatchView) -> FormPage {
    let tr = viewer.tr;
    let number = &batch.batch_number;
    let mut shown = FormPage::new(
        viewer,
        batch,
        format!("/batches/{number}/physician-request"),
        SignatureMeaning::Requested,
    );
    shown.title = tr.t("physician-request-title");
    shown.intro = vec![tr.t("physician-request-intro")];
    shown.facts = batch
        .after_manufacturing
        .qc_results
        .iter()
        .filter(|r| r.current && r.verdict == crate::domain::batch::Verdict::Oos)
        .map(|r| {
            (
                r.test_id.clone(),
                format!("{} ({})", r.result, r.specification),
            )
        })
        .collect();
    shown.inputs = vec![
        Input::new("reason", tr.t("physician-request-reason"), "textarea"),
        Input::new("risk_acknowledged", tr.t("physician-request-risk"), "yesno"),
    ];
    shown
}

pub async fn request_page(request: PageRequest, path: web::Path<String>) -> Answer {
    form::opened(request, path.into_inner(), request_form).await
}

/// The treating physician's signed request (`requested`).
pub async fn request(request: PostedForm, path: web::Path<String>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let batch = signing::batch(state, path.into_inner()).await?;
    let number = batch.batch_number.clone();
    let posting = Posting::on((req, viewer), form, SignatureMeaning::Requested, &number);
    let read = || {
        let acknowledged = field(form, "risk_acknowledged") == "true";
        Ok((field(form, "reason"), acknowledged))
    };
    let request = move |conn: &mut DbConn,
                        who: &Principal,
                        signer,
                        if_match,
                        (reason, acknowledged): (String, bool)| {
        let request = (reason.as_str(), acknowledged);
        batches::request_exceptional_release(conn, who, &number, request, if_match, signer)
            .map(drop)
    };
    posting
        .submit(request_form(viewer, &batch), read, request)
        .await
}
