//! QC release testing of a batch: each of the template's tests with its method and
//! specification, the results recorded against it with the verdict the domain gave, a result
//! entered and signed by an analyst (`performed`), and a second analyst's verification
//! (`verified`). A re-test after an out-of-specification result is a new result with its
//! reason; whether one is allowed is the domain's decision.

use actix_web::http::StatusCode;
use actix_web::{web, ResponseError};
use askama::Template;

use super::batches::BatchHeading;
use super::{page, see_other};
use crate::auth::{Action, SignatureMeaning};
use crate::domain::batch::StepStatus;
use crate::domain::template::{QcSpec, QcTest, Template as ProcessTemplate};
use crate::services::batches::release_view::QcResultView;
use crate::services::batches::{self, BatchView};
use crate::web::frame::Frame;
use crate::web::i18n::Tr;
use crate::web::session::{PageRequest, PostedForm, Viewer};
use crate::web::signing::review::{FormPage, SignPage};
use crate::web::signing::step::show_datetime;
use crate::web::signing::{self, field, FormErrors, Input, Refusal};
use crate::web::{Answer, WebError};

/// A test's specification as this language writes it.
pub fn spec_text(spec: &QcSpec, tr: Tr) -> String {
    let unit = |u: &Option<String>| u.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    match spec {
        QcSpec::Range { min, max, unit: u } => {
            let limit = |l: &crate::domain::quantity::Decimal| tr.decimal(&l.to_string());
            let range = match (min, max) {
                (Some(min), Some(max)) => format!("{} – {}", limit(min), limit(max)),
                (Some(min), None) => format!("≥ {}", limit(min)),
                (None, Some(max)) => format!("≤ {}", limit(max)),
                (None, None) => String::new(),
            };
            format!("{range}{}", unit(u))
        }
        QcSpec::PassFail => tr.t("qc-spec-pass-fail"),
        QcSpec::Report { unit: u } => format!("{}{}", tr.t("qc-spec-report"), unit(u)),
        QcSpec::ExpectedText { expected } => format!("“{expected}”"),
    }
}

fn numeric(spec: &QcSpec) -> bool {
    matches!(spec, QcSpec::Range { .. } | QcSpec::Report { .. })
}

fn spec_unit(spec: &QcSpec) -> Option<String> {
    match spec {
        QcSpec::Range { unit, .. } | QcSpec::Report { unit } => unit.clone(),
        _ => None,
    }
}

pub struct TestShown {
    pub id: String,
    pub title: String,
    pub method: String,
    pub spec: String,
    pub status: &'static str,
    pub status_label: String,
    pub results: Vec<ResultShown>,
    pub can_record: bool,
    pub can_verify: bool,
}

pub struct ResultShown {
    pub attempt: u32,
    pub result: String,
    pub verdict: &'static str,
    pub verdict_label: String,
    pub comment: Option<String>,
    pub recorded: String,
    pub verified: Option<String>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "ui/qc.html")]
struct QcPage {
    frame: Frame,
    heading: BatchHeading,
    tests: Vec<TestShown>,
    done: Option<String>,
}

fn results_of<'a>(batch: &'a BatchView, test: &str) -> Vec<&'a QcResultView> {
    batch
        .after_manufacturing
        .qc_results
        .iter()
        .filter(|r| r.test_id == test)
        .collect()
}

fn result_shown(r: &QcResultView, test: &QcTest, viewer: &Viewer) -> ResultShown {
    let (tr, zone) = (viewer.tr, viewer.zone);
    let verdict = r.verdict.as_str();
    ResultShown {
        attempt: r.attempt,
        result: if numeric(&test.spec) {
            tr.decimal(&r.result)
        } else {
            r.result.clone()
        },
        verdict,
        verdict_label: tr.t(&format!("qc-verdict-{verdict}")),
        comment: r.comment.clone(),
        recorded: format!(
            "{} · {}",
            r.recorded_by,
            show_datetime(&r.recorded_at, zone, tr)
        ),
        verified: r.verified_by.as_ref().map(|by| {
            let at = r.verified_at.as_deref().unwrap_or_default();
            format!("{by} · {}", show_datetime(at, zone, tr))
        }),
        current: r.current,
    }
}

fn tests(batch: &BatchView, template: &ProcessTemplate, viewer: &Viewer) -> Vec<TestShown> {
    let analyst = viewer.can(Action::RecordQcResult);
    template
        .qc_tests
        .iter()
        .map(|test| {
            let results = results_of(batch, &test.id);
            let current = results.iter().find(|r| r.current);
            let status = match current {
                None => StepStatus::Pending,
                Some(r) if r.verified_by.is_none() => StepStatus::Recorded,
                Some(_) => StepStatus::Done,
            };
            TestShown {
                id: test.id.clone(),
                title: test.title.clone(),
                method: test.method.clone(),
                spec: spec_text(&test.spec, viewer.tr),
                status: status.as_str(),
                status_label: viewer.tr.t(&format!("step-{}", status.as_str())),
                can_record: analyst
                    && current.is_none_or(|r| r.verdict == crate::domain::batch::Verdict::Oos),
                can_verify: analyst && status.awaits_verification(),
                results: results
                    .iter()
                    .map(|r| result_shown(r, test, viewer))
                    .collect(),
            }
        })
        .collect()
}

pub async fn overview(request: PageRequest, path: web::Path<String>) -> Answer {
    let (_, viewer, state, done) = request.parts();
    let (batch, template) = signing::batch_and_template(state, path.into_inner()).await?;
    let tr = viewer.tr;
    let done = match (&done.recorded, &done.verified) {
        (Some(test), _) => Some(tr.t1("qc-recorded-notice", "test", test)),
        (None, Some(test)) => Some(tr.t1("qc-verified-notice", "test", test)),
        (None, None) => None,
    };
    let shown = QcPage {
        frame: Frame::of(viewer, &format!("/batches/{}/qc", batch.batch_number)),
        heading: BatchHeading::of(&batch, tr),
        tests: tests(&batch, &template, viewer),
        done,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

fn test_of<'a>(template: &'a ProcessTemplate, id: &str) -> Result<&'a QcTest, WebError> {
    template.qc_test(id).ok_or(WebError::NotFound)
}

/// The result form of one test: the specification beside the field, and the reason for a
/// re-test when an earlier result was out of specification.
fn result_form(
    viewer: &Viewer,
    batch: &BatchView,
    test: &QcTest,
    form: &[(String, String)],
    (error, general): FormErrors,
) -> FormPage {
    let tr = viewer.tr;
    let action = format!("/batches/{}/qc/{}", batch.batch_number, test.id);
    let mut shown = FormPage::new(viewer, batch, action, test.title.clone());
    shown.facts = vec![
        (tr.t("qc-method"), test.method.clone()),
        (tr.t("qc-specification"), spec_text(&test.spec, tr)),
    ];
    let spec = format!(
        "{}: {}",
        tr.t("qc-specification"),
        spec_text(&test.spec, tr)
    );
    let result = match test.spec {
        QcSpec::PassFail => Input::new("result", tr.t("qc-result"), "radio").options(vec![
            ("pass".to_owned(), tr.t("qc-verdict-pass")),
            ("fail".to_owned(), tr.t("qc-fail")),
        ]),
        ref spec if numeric(spec) => {
            Input::new("result", tr.t("qc-result"), "decimal").unit(spec_unit(spec))
        }
        _ => Input::new("result", tr.t("qc-result"), "text"),
    };
    shown
        .inputs
        .push(result.hint(Some(spec)).from(form, &error));
    let retest = results_of(batch, &test.id).iter().any(|r| r.current);
    if retest {
        let reason = Input::new("retest_reason", tr.t("qc-retest-reason"), "textarea")
            .carries("comment")
            .hint(Some(tr.t("qc-retest-hint")));
        shown.inputs.push(reason.from(form, &error));
    }
    shown.error = general;
    if let Some(p) = signing::position(form) {
        shown.position = p;
    }
    shown
}

pub async fn form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let (number, test_id) = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number).await?;
    let test = test_of(&template, &test_id)?;
    let shown = result_form(viewer, &batch, test, &[], (None, None));
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// Review (the signature dialog), edit (back to the form) or sign (record the result).
pub async fn submit(request: PostedForm, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, test_id) = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number.clone()).await?;
    let test = test_of(&template, &test_id)?;
    let tr = viewer.tr;
    let typed = field(form, "result");
    let result = if numeric(&test.spec) {
        tr.parse_decimal(&typed)
    } else {
        typed.trim().to_owned()
    };
    let reason = Some(field(form, "retest_reason")).filter(|r| !r.trim().is_empty());
    let title = format!("{} · {}", tr.t("qc-title"), test.title);
    let action = format!("/batches/{number}/qc/{test_id}");
    let dialog = |password_error: Option<String>| {
        let mut summary = vec![
            (tr.t("qc-specification"), spec_text(&test.spec, tr), None),
            (tr.t("qc-result"), typed.clone(), spec_unit(&test.spec)),
        ];
        if let Some(reason) = &reason {
            summary.push((tr.t("qc-retest-reason"), reason.clone(), None));
        }
        let carried = signing::carry(form, &["result", "retest_reason"]);
        let mut shown = SignPage::new(
            viewer,
            &batch,
            (action.clone(), title.clone()),
            SignatureMeaning::Performed,
            summary,
            carried,
        );
        shown.signature.password_error = password_error;
        shown.position = signing::position(form).unwrap_or(batch.position);
        shown
    };
    match field(form, "intent").as_str() {
        "sign" => {}
        "edit" => {
            let shown = result_form(viewer, &batch, test, form, (None, None));
            return Ok(page(viewer, StatusCode::OK, &shown));
        }
        _ => return Ok(page(viewer, StatusCode::OK, &dialog(None))),
    }
    let position = signing::position(form);
    let recorded = signing::sign(req, viewer, form, SignatureMeaning::Performed, {
        let (number, test_id, reason) = (number.clone(), test_id.clone(), reason.clone());
        move |conn, who, signer| {
            let input = (test_id.as_str(), result.as_str(), reason.as_deref());
            batches::record_qc_result(conn, who, &number, input, position, signer)
        }
    })
    .await?;
    match recorded {
        Ok(_) => Ok(see_other(&format!(
            "/batches/{number}/qc?recorded={test_id}#qc-{test_id}"
        ))),
        Err(error) => {
            let status = error.status_code();
            let refusal = Refusal::of(viewer, &error);
            match refusal.at_password() {
                Some(message) => Ok(page(viewer, status, &dialog(Some(message)))),
                None => {
                    let errors = refusal.form_errors();
                    let shown = result_form(viewer, &batch, test, form, errors).settled();
                    Ok(page(viewer, status, &shown))
                }
            }
        }
    }
}

fn verify_dialog(viewer: &Viewer, batch: &BatchView, test: &QcTest) -> Result<SignPage, WebError> {
    let tr = viewer.tr;
    let current = results_of(batch, &test.id)
        .into_iter()
        .find(|r| r.current)
        .ok_or(WebError::NotFound)?;
    let shown = result_shown(current, test, viewer);
    let summary = vec![
        (tr.t("performed-by"), shown.recorded, None),
        (tr.t("qc-specification"), spec_text(&test.spec, tr), None),
        (tr.t("qc-result"), shown.result, spec_unit(&test.spec)),
        (tr.t("qc-verdict"), shown.verdict_label, None),
    ];
    let action = format!("/batches/{}/qc/{}/verify", batch.batch_number, test.id);
    let title = format!("{} · {}", tr.t("qc-title"), test.title);
    Ok(SignPage::new(
        viewer,
        batch,
        (action, title),
        SignatureMeaning::Verified,
        summary,
        vec![],
    ))
}

pub async fn verify_form(request: PageRequest, path: web::Path<(String, String)>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let (number, test_id) = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number).await?;
    let shown = verify_dialog(viewer, &batch, test_of(&template, &test_id)?)?;
    Ok(page(viewer, StatusCode::OK, &shown))
}

/// A second analyst's verification; a refusal (the analyst verifying their own result, a
/// wrong password) comes back in the dialog as a readable message.
pub async fn verify(request: PostedForm, path: web::Path<(String, String)>) -> Answer {
    let (req, viewer, state, form) = request.parts();
    let (number, test_id) = path.into_inner();
    let (batch, template) = signing::batch_and_template(state, number.clone()).await?;
    let test = test_of(&template, &test_id)?;
    let position = signing::position(form);
    let verified = signing::sign(req, viewer, form, SignatureMeaning::Verified, {
        let (number, test_id) = (number.clone(), test_id.clone());
        move |conn, who, signer| {
            batches::verify_qc_result(conn, who, &number, &test_id, position, signer)
        }
    })
    .await?;
    match verified {
        Ok(_) => Ok(see_other(&format!(
            "/batches/{number}/qc?verified={test_id}#qc-{test_id}"
        ))),
        Err(error) => {
            let mut shown = verify_dialog(viewer, &batch, test)?;
            let refusal = Refusal::of(viewer, &error);
            match refusal.at_password() {
                Some(message) => shown.signature.password_error = Some(message),
                None => shown.error = Some(refusal.above()),
            }
            Ok(page(viewer, error.status_code(), &shown))
        }
    }
}
