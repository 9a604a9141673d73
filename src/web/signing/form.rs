//! One signed form for the writes after manufacturing (the QP's decision, the physician's
//! request, dispatch, receipt, the bedside check, infusion, follow-up): the inputs, then the
//! signature (what is signed is the form above it, with the meaning and the signer's printed
//! name), and the password last. An Enter pressed before everything is filled in (a barcode
//! scanner ends with one) only brings the form back with the next empty input focused: nothing
//! is sent to the record until the password is there.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use super::{field, position, sign, Input, Refusal, Signature};
use crate::auth::SignatureMeaning;
use crate::db::DbConn;
use crate::error::{AppError, ServiceError};
use crate::services::accounts::Principal;
use crate::services::batches::custody::Write;
use crate::services::batches::BatchView;
use crate::services::signatures::VerifiedSigner;
use crate::web::frame::Frame;
use crate::web::pages::batches::BatchHeading;
use crate::web::pages::{page, see_other};
use crate::web::session::{PageRequest, Viewer};
use crate::web::{Answer, WebError};

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
    pub signature: Signature,
    pub error: Option<(String, String)>,
    pub position: i64,
    pub submit: String,
    pub back: String,
}

impl FormPage {
    pub fn new(
        viewer: &Viewer,
        batch: &BatchView,
        action: String,
        meaning: SignatureMeaning,
    ) -> FormPage {
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
            signature: Signature::new(viewer, meaning),
            error: None,
            position: batch.position,
            submit: tr.t("sign"),
            back: format!("/batches/{}", batch.batch_number),
        }
    }

    /// Keeps what was typed into each input, and the position the form was opened at.
    pub fn typed(mut self, form: &[(String, String)]) -> FormPage {
        for input in &mut self.inputs {
            if form.iter().any(|(key, _)| *key == input.name) {
                input.value = field(form, &input.name);
            }
        }
        if let Some(position) = position(form) {
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
            .find(|i| i.required && i.value.trim().is_empty())
        {
            input.focus = true;
            return false;
        }
        if field(form, "password").is_empty() {
            self.signature.focus = true;
            return false;
        }
        true
    }

    /// A refusal: a wrong password at the password, one naming an input beside it, anything
    /// else above the form with the server's own words beneath.
    pub fn refused(mut self, viewer: &Viewer, error: &AppError) -> FormPage {
        let refusal = Refusal::of(viewer, error);
        if let Some(message) = refusal.at_password() {
            self.signature.refused(message);
            return self;
        }
        let concerned = self
            .inputs
            .iter_mut()
            .find(|i| refusal.member() == Some(i.carries.as_str()));
        match concerned {
            Some(input) => {
                input.error = Some(format!("{} ({})", refusal.message, refusal.detail));
                input.focus = true;
            }
            None => self.error = Some(refusal.above()),
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

/// The form shown (200), or shown again after a refusal with its status.
pub fn show(viewer: &Viewer, shown: &FormPage, status: StatusCode) -> HttpResponse {
    page(viewer, status, shown)
}

/// An input typed so that it cannot be read (a time that does not exist): its name and what
/// to say beside it.
pub type Unreadable = (&'static str, String);

/// The form about batch `number`, as `build` lays it out for the viewer.
pub async fn opened(
    request: PageRequest,
    number: String,
    build: impl FnOnce(&Viewer, &BatchView) -> FormPage,
) -> Answer {
    let batch = super::batch(&request.state, number).await?;
    let shown = build(&request.viewer, &batch);
    Ok(show(&request.viewer, &shown, StatusCode::OK))
}

/// A posted signed form, as its page declares it: signed with `meaning`, then on to `done`.
pub struct Posting<'a> {
    pub req: &'a HttpRequest,
    pub viewer: &'a Viewer,
    pub form: &'a [(String, String)],
    pub meaning: SignatureMeaning,
    pub done: String,
}

impl<'a> Posting<'a> {
    /// `form`, signed with `meaning`, then back to the page of batch `number`.
    pub fn on(
        (req, viewer): (&'a HttpRequest, &'a Viewer),
        form: &'a [(String, String)],
        meaning: SignatureMeaning,
        number: &str,
    ) -> Posting<'a> {
        Posting {
            req,
            viewer,
            form,
            meaning,
            done: format!("/batches/{number}"),
        }
    }

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
        let if_match = position(self.form);
        let signed = sign(
            self.req,
            self.viewer,
            self.form,
            self.meaning,
            move |conn, who, signer| write(conn, who, signer, if_match, command),
        )
        .await?;
        answer(self.viewer, signed, shown, &self.done)
    }
}

/// A custody write on batch `number` (dispatch, receipt, infusion, follow-up) as the work of a
/// signed form.
pub fn on_batch<T, R>(
    number: &str,
    record: impl FnOnce(&mut DbConn, Write<'_>, T) -> Result<R, ServiceError> + Send + 'static,
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
        record(conn, write, command).map(drop)
    }
}

/// After a signed form: back to `done`, or the form again with the refusal.
pub fn answer(
    viewer: &Viewer,
    signed: Result<(), AppError>,
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
