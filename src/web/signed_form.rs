//! One signed form for the writes after manufacturing (the QP's decision, the physician's
//! request, dispatch, receipt, the bedside check, infusion, follow-up): the inputs, then the
//! signature (what is signed is the form above it, with the meaning and the signer's printed
//! name), and the password last. An Enter pressed before everything is filled in (a barcode
//! scanner ends with one) only brings the form back with the next empty input focused: nothing
//! is sent to the record until the password is there.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use secrecy::SecretString;

use super::frame::Frame;
use super::pages::batches::BatchHeading;
use super::pages::{page, see_other};
use super::session::{self, Viewer};
use super::WebError;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::db::DbConn;
use crate::edge::AppState;
use crate::error::{AppError, ServiceError};
use crate::services::accounts::Principal;
use crate::services::batches::custody::Write;
use crate::services::batches::{self, BatchView};
use crate::services::signatures::VerifiedSigner;

/// One input of a signed form.
pub struct Input {
    pub name: &'static str,
    pub label: String,
    /// `text`, `datetime`, `date`, `decimal`, `integer`, `yesno` or `textarea`.
    pub kind: &'static str,
    pub value: String,
    pub unit: Option<&'static str>,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub focus: bool,
    /// Must be filled in before the form is signed (an Enter before that only moves on).
    pub needed: bool,
}

impl Input {
    pub fn new(name: &'static str, label: String, kind: &'static str) -> Input {
        Input {
            name,
            label,
            kind,
            value: String::new(),
            unit: None,
            hint: None,
            error: None,
            focus: false,
            needed: true,
        }
    }

    pub fn hint(mut self, hint: String) -> Input {
        self.hint = Some(hint);
        self
    }

    pub fn unit(mut self, unit: &'static str) -> Input {
        self.unit = Some(unit);
        self
    }

    pub fn optional(mut self) -> Input {
        self.needed = false;
        self
    }

    pub fn value(mut self, value: String) -> Input {
        self.value = value;
        self
    }
}

#[derive(Template)]
#[template(path = "ui/signed_form.html")]
pub struct FormPage {
    pub frame: Frame,
    pub heading: BatchHeading,
    pub title: String,
    /// What the person reads before the inputs (what the form is about, what it affects).
    pub intro: Vec<String>,
    pub facts: Vec<(String, String)>,
    pub action: String,
    /// Hidden values the form posts back as they were shown (e.g. the meaning).
    pub carried: Vec<(&'static str, &'static str)>,
    pub inputs: Vec<Input>,
    pub meaning: String,
    pub signer: String,
    pub password_error: Option<String>,
    pub password_focus: bool,
    pub error: Option<(String, String)>,
    pub position: i64,
    pub submit: String,
    pub back: String,
}

impl FormPage {
    pub fn new(viewer: &Viewer, batch: &BatchView, action: String, meaning: &str) -> FormPage {
        let tr = viewer.tr;
        FormPage {
            frame: Frame::of(viewer, &action),
            heading: BatchHeading::of(batch, tr),
            title: String::new(),
            intro: vec![],
            facts: vec![],
            action,
            carried: vec![],
            inputs: vec![],
            meaning: tr.t(&format!("meaning-{meaning}")),
            signer: viewer.who.full_name.as_str().to_owned(),
            password_error: None,
            password_focus: false,
            error: None,
            position: batch.position,
            submit: tr.t("sign"),
            back: format!("/batches/{}", batch.batch_number),
        }
    }

    /// Keeps what was typed into each input, and the position the form was opened at.
    pub fn typed(mut self, form: &[(String, String)]) -> FormPage {
        for input in &mut self.inputs {
            if let Some(value) = value_of(form, input.name) {
                input.value = value;
            }
        }
        if let Ok(position) = field(form, "position").parse() {
            self.position = position;
        }
        self
    }

    /// Focuses the first needed input left empty, else the password; `true` when all needed
    /// inputs and the password are there (the form may be signed).
    pub fn complete(&mut self, form: &[(String, String)]) -> bool {
        if let Some(input) = self
            .inputs
            .iter_mut()
            .find(|i| i.needed && i.value.trim().is_empty())
        {
            input.focus = true;
            return false;
        }
        if field(form, "password").is_empty() {
            self.password_focus = true;
            return false;
        }
        true
    }

    /// A refusal: a wrong password at the password, one naming an input beside it, anything
    /// else above the form with the server's own words beneath.
    pub fn refused(mut self, viewer: &Viewer, error: &AppError) -> FormPage {
        let message = viewer.tr.refusal(error.code());
        let detail = error.to_string();
        if is_password_refusal(error.code()) {
            self.password_error = Some(message);
            self.password_focus = true;
            return self;
        }
        let concerned = self
            .inputs
            .iter_mut()
            .find(|i| Some(i.name) == error.field());
        match concerned {
            Some(input) => {
                input.error = Some(format!("{message} ({detail})"));
                input.focus = true;
            }
            None => self.error = Some((message, detail)),
        }
        self
    }

    /// A problem found in what was typed before anything was sent (a time that does not exist).
    pub fn invalid(mut self, name: &str, message: String) -> FormPage {
        if let Some(input) = self.inputs.iter_mut().find(|i| i.name == name) {
            input.error = Some(message);
            input.focus = true;
        }
        self
    }
}

pub fn is_password_refusal(code: &str) -> bool {
    matches!(
        code,
        "signature_password_wrong" | "wrong_password" | "invalid_credentials" | "too_many_attempts"
    )
}

pub fn field(form: &[(String, String)], name: &str) -> String {
    value_of(form, name).unwrap_or_default()
}

fn value_of(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// The signature of the form: its password and comment, with the meaning it is made for.
pub fn signature(form: &[(String, String)], meaning: SignatureMeaning) -> SignatureInput {
    SignatureInput {
        password: SecretString::from(field(form, "password")),
        meaning,
        comment: Some(field(form, "comment")).filter(|c| !c.trim().is_empty()),
    }
}

/// The batch as it is now.
pub async fn batch(state: &web::Data<AppState>, number: String) -> Result<BatchView, WebError> {
    Ok(state
        .db
        .run(move |conn| batches::record_view(conn, &number))
        .await?)
}

/// The form shown (200), or shown again after a refusal with its status.
pub fn show(viewer: &Viewer, shown: &FormPage, status: StatusCode) -> HttpResponse {
    page(viewer, status, shown)
}

/// What a signed write did: where to go next, or the refusal.
pub type Signed = Result<(), AppError>;

/// Signs and runs `work` as the API handler does (password re-checked for `meaning`, the
/// throttle counted), with the position the form was opened at as `If-Match`.
pub async fn sign<F>(
    req: &HttpRequest,
    viewer: &Viewer,
    form: &[(String, String)],
    meaning: SignatureMeaning,
    work: F,
) -> Result<Signed, WebError>
where
    F: FnOnce(&mut DbConn, &Principal, VerifiedSigner, Option<i64>) -> Result<(), ServiceError>
        + Send
        + 'static,
{
    let state = session::state(req)?;
    let position: Option<i64> = field(form, "position").parse().ok();
    Ok(crate::edge::signed(
        req,
        &state,
        viewer.who.clone(),
        signature(form, meaning),
        meaning,
        move |conn, who, signer| work(conn, who, signer, position),
    )
    .await)
}

/// An input typed so that it cannot be read (a time that does not exist): its name and what
/// to say beside it.
pub type Unreadable = (&'static str, String);

/// A posted signed form, as its page declares it: signed with `meaning`, then on to `done`.
pub struct Posting<'a> {
    pub req: &'a HttpRequest,
    pub viewer: &'a Viewer,
    pub form: &'a [(String, String)],
    pub meaning: SignatureMeaning,
    pub done: String,
}

impl Posting<'_> {
    /// The one way a signed form is taken: shown again, with what was typed, until every input
    /// it needs is filled in; then `read` into the command (an unreadable input is said beside
    /// it), signed, and `write` run with the signer and the position the form was opened at;
    /// a refusal comes back beside the input it is about.
    pub async fn submit<T, W>(
        self,
        shown: FormPage,
        read: impl FnOnce() -> Result<T, Unreadable>,
        write: W,
    ) -> Result<HttpResponse, WebError>
    where
        T: Send + 'static,
        W: FnOnce(
                &mut DbConn,
                &Principal,
                VerifiedSigner,
                Option<i64>,
                T,
            ) -> Result<(), ServiceError>
            + Send
            + 'static,
    {
        let mut shown = shown.typed(self.form);
        if !shown.complete(self.form) {
            return Ok(show(self.viewer, &shown, StatusCode::OK));
        }
        let command = match read() {
            Ok(command) => command,
            Err((name, message)) => {
                let shown = shown.invalid(name, message);
                return Ok(show(self.viewer, &shown, StatusCode::UNPROCESSABLE_ENTITY));
            }
        };
        let signed = sign(
            self.req,
            self.viewer,
            self.form,
            self.meaning,
            move |conn, who, signer, if_match| write(conn, who, signer, if_match, command),
        )
        .await?;
        answer(self.viewer, signed, shown, &self.done)
    }
}

/// A custody write on batch `number` (dispatch, receipt, infusion, follow-up) as the work of a
/// signed form.
pub fn on_batch<T>(
    number: &str,
    record: impl FnOnce(&mut DbConn, Write<'_>, T) -> Result<(), ServiceError> + Send + 'static,
) -> impl FnOnce(&mut DbConn, &Principal, VerifiedSigner, Option<i64>, T) -> Result<(), ServiceError>
       + Send
       + 'static {
    let number = number.to_owned();
    move |conn, who, signer, if_match, command| {
        let write = Write {
            who,
            batch_number: &number,
            if_match,
            signer,
        };
        record(conn, write, command)
    }
}

/// After a signed form: back to `done`, or the form again with the refusal.
pub fn answer(
    viewer: &Viewer,
    signed: Signed,
    shown: FormPage,
    done: &str,
) -> Result<HttpResponse, WebError> {
    match signed {
        Ok(()) => Ok(see_other(done)),
        Err(error) => {
            let status = error.status_code();
            let shown = shown.refused(viewer, &error);
            Ok(show(viewer, &shown, status))
        }
    }
}
