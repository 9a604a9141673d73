//! What the pages of QC and of QA's oversight share: a form of a few fields about one batch
//! (`ui/form.html`), the signature dialog that follows it (`ui/sign.html`, as for a step), and
//! where a refusal is shown: a wrong password at the password, a refusal about one field
//! beside that field, anything else above the form. Whether anything is allowed is the
//! domain's decision; these pages only carry what was typed to the services and back.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::{carry, field, position, sign, FormErrors, Input, Refusal, Signature};
use crate::auth::SignatureMeaning;
use crate::db::DbConn;
use crate::error::ServiceError;
use crate::services::accounts::Principal;
use crate::services::batches::BatchView;
use crate::services::signatures::VerifiedSigner;
use crate::web::frame::Frame;
use crate::web::pages::batches::BatchHeading;
use crate::web::pages::{page, see_other};
use crate::web::session::Viewer;
use crate::web::WebError;

#[derive(Template)]
#[template(path = "ui/form.html")]
pub struct FormPage {
    pub frame: Frame,
    pub heading: BatchHeading,
    pub title: String,
    /// What the form is about, as (label, value).
    pub facts: Vec<(String, String)>,
    pub action: String,
    pub inputs: Vec<Input>,
    pub error: Option<(String, String)>,
    pub position: i64,
    pub submit: String,
    /// Where Cancel leads.
    pub back: String,
}

impl FormPage {
    pub fn new(viewer: &Viewer, batch: &BatchView, action: String, title: String) -> FormPage {
        FormPage {
            frame: Frame::of(viewer, &action),
            heading: BatchHeading::of(batch, viewer.tr),
            title,
            facts: vec![],
            back: format!("/batches/{}", batch.batch_number),
            action,
            inputs: vec![],
            error: None,
            position: batch.position,
            submit: viewer.tr.t("step-review-and-sign"),
        }
    }

    /// A refusal about an input the form shows stays beside it alone; about anything else,
    /// it is shown above the form.
    pub fn settled(mut self) -> FormPage {
        if self.inputs.iter().any(|i| i.error.is_some()) {
            self.error = None;
        }
        self
    }
}

#[derive(Template)]
#[template(path = "ui/sign.html")]
pub struct SignPage {
    pub frame: Frame,
    pub heading: BatchHeading,
    pub action: String,
    pub step_title: String,
    pub signature: Signature,
    /// What is signed, as (label, value shown, unit).
    pub summary: Vec<(String, String, Option<String>)>,
    /// Everything the form carries, to post again.
    pub carried: Vec<(String, String)>,
    pub error: Option<(String, String)>,
    pub position: i64,
    pub editable: bool,
    /// Whether the form is sent as `multipart/form-data` (a step's, which may carry files).
    pub multipart: bool,
}

impl SignPage {
    /// The dialog for signing `title` with `meaning`; `carried` goes back with the password.
    pub fn new(
        viewer: &Viewer,
        batch: &BatchView,
        (action, title): (String, String),
        meaning: SignatureMeaning,
        summary: Vec<(String, String, Option<String>)>,
        carried: Vec<(String, String)>,
    ) -> SignPage {
        SignPage {
            frame: Frame::of(viewer, &action),
            heading: BatchHeading::of(batch, viewer.tr),
            action,
            step_title: title,
            signature: Signature {
                focus: true,
                ..Signature::new(viewer, meaning)
            },
            summary,
            editable: !carried.is_empty(),
            multipart: false,
            carried,
            error: None,
            position: batch.position,
        }
    }
}

/// A form that is signed: what it posts to, what the dialog shows, and where success leads.
pub struct Flow<'a> {
    pub req: &'a HttpRequest,
    pub viewer: &'a Viewer,
    pub batch: &'a BatchView,
    pub form: &'a [(String, String)],
    /// The form's path and the dialog's title.
    pub action: String,
    pub title: String,
    pub meaning: SignatureMeaning,
    /// The fields of the form the dialog carries back.
    pub carried: &'a [&'static str],
    pub summary: Vec<(String, String, Option<String>)>,
    pub done: String,
}

/// Review (the signature dialog), edit (back to the form, everything typed kept) or sign:
/// `work` runs with the verified signer and the position the form was shown at, as the API
/// handler runs it; a refusal comes back where it belongs.
pub async fn flow<F>(
    flow: Flow<'_>,
    build: impl Fn(FormErrors) -> FormPage,
    work: F,
) -> Result<HttpResponse, WebError>
where
    F: FnOnce(&mut DbConn, &Principal, VerifiedSigner, Option<i64>) -> Result<(), ServiceError>
        + Send
        + 'static,
{
    let viewer = flow.viewer;
    let position = position(flow.form);
    let dialog = |password_error: Option<String>| {
        let mut shown = SignPage::new(
            viewer,
            flow.batch,
            (flow.action.clone(), flow.title.clone()),
            flow.meaning,
            flow.summary.clone(),
            carry(flow.form, flow.carried),
        );
        shown.signature.password_error = password_error;
        shown.position = position.unwrap_or(flow.batch.position);
        shown
    };
    match field(flow.form, "intent").as_str() {
        "sign" => {}
        "edit" => return Ok(page(viewer, StatusCode::OK, &build((None, None)))),
        _ => return Ok(page(viewer, StatusCode::OK, &dialog(None))),
    }
    let done = sign(
        flow.req,
        viewer,
        flow.form,
        flow.meaning,
        move |conn, who, signer| work(conn, who, signer, position),
    )
    .await?;
    match done {
        Ok(()) => Ok(see_other(&flow.done)),
        Err(error) => {
            let status = error.status_code();
            let refusal = Refusal::of(viewer, &error);
            Ok(match refusal.at_password() {
                Some(message) => page(viewer, status, &dialog(Some(message))),
                None => page(viewer, status, &build(refusal.form_errors()).settled()),
            })
        }
    }
}
