//! What the pages of QC and of QA's oversight share: a form of a few fields about one batch
//! (`ui/form.html`), the signature dialog that follows it (`ui/sign.html`, as for a step), and
//! where a refusal is shown: a wrong password at the password, a refusal about one field
//! beside that field, anything else above the form. Whether anything is allowed is the
//! domain's decision; these pages only carry what was typed to the services and back.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use secrecy::SecretString;

use super::batches::BatchHeading;
use super::{page, see_other};
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::db::DbConn;
use crate::domain::template::Template as ProcessTemplate;
use crate::edge::{signed, AppState};
use crate::error::{AppError, ServiceError};
use crate::services::accounts::Principal;
use crate::services::batches::{self, BatchView};
use crate::services::signatures::VerifiedSigner;
use crate::web::frame::Frame;
use crate::web::session::{self, Viewer};
use crate::web::WebError;

/// One input of a form: `text`, `textarea`, `decimal`, `select` or `radio`.
pub struct Input {
    pub name: &'static str,
    /// The command's member this input carries, as a refusal names it (its name, unless the
    /// page calls it otherwise).
    pub carries: &'static str,
    pub label: String,
    pub widget: &'static str,
    pub unit: Option<String>,
    /// Shown beside the field (a specification, a format).
    pub hint: Option<String>,
    pub options: Vec<(String, String)>,
    pub typed: String,
    pub error: Option<String>,
}

impl Input {
    pub fn new(name: &'static str, label: String, widget: &'static str) -> Input {
        Input {
            name,
            carries: name,
            label,
            widget,
            unit: None,
            hint: None,
            options: vec![],
            typed: String::new(),
            error: None,
        }
    }

    pub fn hint(mut self, hint: Option<String>) -> Input {
        self.hint = hint;
        self
    }

    pub fn unit(mut self, unit: Option<String>) -> Input {
        self.unit = unit;
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Input {
        self.options = options;
        self
    }

    /// The command's member this input is sent as, where the form names it otherwise.
    pub fn carries(mut self, member: &'static str) -> Input {
        self.carries = member;
        self
    }

    /// What was typed into this field in `form`, and the error shown beside it, if any.
    pub fn from(mut self, form: &[(String, String)], error: &Option<(String, String)>) -> Input {
        self.typed = field(form, self.name);
        self.error = error
            .as_ref()
            .filter(|(member, _)| member == self.carries)
            .map(|(_, message)| message.clone());
        self
    }
}

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
    pub meaning: String,
    pub signer: String,
    pub summary: Vec<(String, String, Option<String>)>,
    pub carried: Vec<(String, String)>,
    pub password_error: Option<String>,
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
            meaning: viewer.tr.t(&format!("meaning-{}", meaning.as_str())),
            signer: viewer.who.full_name.as_str().to_owned(),
            summary,
            editable: !carried.is_empty(),
            multipart: false,
            carried,
            password_error: None,
            error: None,
            position: batch.position,
        }
    }
}

/// A field of a posted form, as typed ("" when absent).
pub fn field(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_default()
}

/// The fields of `form` named in `names`, to carry through the signature dialog.
pub fn carry(form: &[(String, String)], names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| ((*name).to_owned(), field(form, name)))
        .collect()
}

/// The position the form was shown at, for `If-Match`.
pub fn position(form: &[(String, String)]) -> Option<i64> {
    field(form, "position").parse().ok()
}

/// The password and comment typed into the signature dialog, for `meaning`.
pub fn signature(form: &[(String, String)], meaning: SignatureMeaning) -> SignatureInput {
    SignatureInput {
        password: SecretString::from(field(form, "password")),
        meaning,
        comment: Some(field(form, "comment")).filter(|c| !c.trim().is_empty()),
    }
}

pub fn is_password_refusal(code: &str) -> bool {
    matches!(
        code,
        "signature_password_wrong" | "wrong_password" | "invalid_credentials" | "too_many_attempts"
    )
}

/// Where a refusal is shown.
pub enum Refused {
    Password(String),
    /// Beside the input it is about, if the refusal names one, and above the form (which
    /// [`FormPage::settled`] leaves out when an input shows it).
    Form(FormErrors),
}

/// Sorts a refusal by what it concerns: the password, or the form (the input it names).
pub fn refused(viewer: &Viewer, error: &AppError) -> Refused {
    let message = viewer.tr.refusal(error.code());
    if is_password_refusal(error.code()) {
        return Refused::Password(message);
    }
    let beside = error
        .field()
        .map(|member| (member.to_owned(), message.clone()));
    Refused::Form((beside, Some((message, error.to_string()))))
}

/// A batch's record as people read it, with its pinned template.
pub async fn batch_and_template(
    state: &web::Data<AppState>,
    number: String,
) -> Result<(BatchView, ProcessTemplate), WebError> {
    let found = state
        .db
        .run(move |conn| {
            let batch = batches::record_view(conn, &number)?;
            let template = crate::services::templates::pinned_version(
                conn,
                &batch.template.code,
                batch.template.version,
            )?;
            Ok::<_, crate::error::ServiceError>((batch, template))
        })
        .await?;
    Ok(found)
}

/// Where a form's refusal is shown: beside a field, or above the form.
pub type FormErrors = (Option<(String, String)>, Option<(String, String)>);

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
        shown.password_error = password_error;
        shown.position = position.unwrap_or(flow.batch.position);
        shown
    };
    match field(flow.form, "intent").as_str() {
        "sign" => {}
        "edit" => return Ok(page(viewer, StatusCode::OK, &build((None, None)))),
        _ => return Ok(page(viewer, StatusCode::OK, &dialog(None))),
    }
    let state = session::state(flow.req)?;
    let done = signed(
        flow.req,
        &state,
        viewer.who.clone(),
        signature(flow.form, flow.meaning),
        flow.meaning,
        move |conn, who, signer| work(conn, who, signer, position),
    )
    .await;
    match done {
        Ok(()) => Ok(see_other(&flow.done)),
        Err(error) => {
            let status = error.status_code();
            Ok(match refused(viewer, &error) {
                Refused::Password(message) => page(viewer, status, &dialog(Some(message))),
                Refused::Form(errors) => page(viewer, status, &build(errors).settled()),
            })
        }
    }
}
