//! What the pages of master data and accounts share: a plain form, and the signature dialog
//! for actions that are not a batch's (approving a template, deciding a lot, a calibration,
//! approving an account, one's own certification). Both keep everything typed and show a
//! refusal beside the input it concerns, else above the form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::{Input, Refusal, Signature};
use crate::auth::SignatureMeaning;
use crate::error::AppError;
use crate::web::frame::Frame;
use crate::web::pages::page;
use crate::web::session::Viewer;

/// A refusal shown above the form: the translated message and the server's English detail.
pub type General = Option<(String, String)>;

/// Puts the refusal beside the input it is about when the form has that input; otherwise
/// answers it to be shown above the form.
pub fn place(inputs: &mut [Input], refusal: &Refusal) -> General {
    match inputs
        .iter_mut()
        .find(|i| refusal.member() == Some(i.carries.as_str()))
    {
        Some(input) => {
            input.error = Some(refusal.message.clone());
            None
        }
        None => Some(refusal.above()),
    }
}

#[derive(Template)]
#[template(path = "ui/admin_form.html")]
pub struct FormPage {
    pub frame: Frame,
    pub title: String,
    pub intro: Option<String>,
    pub action: String,
    pub inputs: Vec<Input>,
    pub submit: String,
    pub submit_id: &'static str,
    pub back: String,
    pub error: General,
}

impl FormPage {
    pub fn new(viewer: &Viewer, here: &str, title: String, inputs: Vec<Input>) -> FormPage {
        FormPage {
            frame: Frame::of(viewer, here),
            title,
            intro: None,
            action: here.to_owned(),
            inputs,
            submit: viewer.tr.t("save"),
            submit_id: "save",
            back: "/".to_owned(),
            error: None,
        }
    }

    /// The form again after `error`, beside the input it concerns.
    pub fn refused(mut self, viewer: &Viewer, error: &AppError) -> HttpResponse {
        self.error = place(&mut self.inputs, &Refusal::of(viewer, error));
        page(viewer, error.status_code(), &self)
    }

    pub fn show(&self, viewer: &Viewer) -> HttpResponse {
        let invalid = self.inputs.iter().any(|i| i.error.is_some());
        let status = if invalid {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        page(viewer, status, self)
    }
}

/// The signature dialog: what is signed, the statement, the signer's printed name and the
/// meaning, the inputs the action takes, and the password.
#[derive(Template)]
#[template(path = "ui/sign_action.html")]
pub struct SignActionPage {
    pub frame: Frame,
    pub title: String,
    pub action: String,
    pub back: String,
    /// What is signed, as (label, value).
    pub summary: Vec<(String, String)>,
    /// A statement the signer certifies, quoted as it is recorded (English).
    pub certified: Option<String>,
    pub inputs: Vec<Input>,
    pub signature: Signature,
    pub error: General,
}

impl SignActionPage {
    pub fn new(
        viewer: &Viewer,
        here: &str,
        title: String,
        meaning: SignatureMeaning,
        summary: Vec<(String, String)>,
    ) -> SignActionPage {
        SignActionPage {
            frame: Frame::of(viewer, here),
            title,
            action: here.to_owned(),
            back: "/".to_owned(),
            summary,
            certified: None,
            inputs: vec![],
            signature: Signature::new(viewer, meaning),
            error: None,
        }
    }

    pub fn show(&self, viewer: &Viewer) -> HttpResponse {
        page(viewer, StatusCode::OK, self)
    }

    /// The dialog again after a refused signature: a wrong password at the password, a
    /// refusal about an input beside it, anything else above the form.
    pub fn refused(mut self, viewer: &Viewer, error: &AppError) -> HttpResponse {
        let refusal = Refusal::of(viewer, error);
        match refusal.at_password() {
            Some(message) => self.signature.password_error = Some(message),
            None => self.error = place(&mut self.inputs, &refusal),
        }
        page(viewer, error.status_code(), &self)
    }
}
