//! What the pages of master data and accounts share: a plain form, and the signature dialog
//! for actions that are not a batch's (approving a template, deciding a lot, a calibration,
//! approving an account, one's own certification). Both keep everything typed and show a
//! refusal beside the input it concerns, else above the form.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::page;
use crate::auth::SignatureMeaning;
use crate::error::AppError;
use crate::web::frame::Frame;
use crate::web::session::Viewer;

/// A form as posted: every (name, value) pair, in order, kept as typed.
pub type Typed = Vec<(String, String)>;

/// The value of the input `name`, empty when the form had none.
pub fn field(form: &Typed, name: &str) -> String {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .unwrap_or_default()
}

/// Every value of the inputs named `name` (ticked checkboxes).
pub fn all(form: &Typed, name: &str) -> Vec<String> {
    form.iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .collect()
}

/// One input of a form.
pub struct Input {
    pub name: &'static str,
    pub label: String,
    /// `text`, `date` or `checkboxes`.
    pub kind: &'static str,
    pub value: String,
    /// For checkboxes: (value, label, ticked).
    pub options: Vec<(String, String, bool)>,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub required: bool,
}

impl Input {
    pub fn text(name: &'static str, label: String, form: &Typed) -> Input {
        Input {
            name,
            label,
            kind: "text",
            value: field(form, name),
            options: vec![],
            hint: None,
            error: None,
            required: true,
        }
    }

    pub fn date(name: &'static str, label: String, form: &Typed) -> Input {
        Input {
            kind: "date",
            ..Input::text(name, label, form)
        }
    }

    pub fn checkboxes(
        name: &'static str,
        label: String,
        options: Vec<(String, String, bool)>,
    ) -> Input {
        Input {
            kind: "checkboxes",
            options,
            ..Input::text(name, label, &vec![])
        }
    }

    pub fn optional(self) -> Input {
        Input {
            required: false,
            ..self
        }
    }

    pub fn hint(self, hint: String) -> Input {
        Input {
            hint: Some(hint),
            ..self
        }
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = vec![];
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// A refusal shown above the form: the translated message and the server's English detail.
pub type General = Option<(String, String)>;

/// Puts the refusal beside the input it is about when the form has that input; otherwise
/// answers it to be shown above the form.
pub fn place(viewer: &Viewer, inputs: &mut [Input], error: &AppError) -> General {
    let message = viewer.tr.refusal(error.code());
    match inputs.iter_mut().find(|i| Some(i.name) == error.field()) {
        Some(input) => {
            input.error = Some(message);
            None
        }
        None => Some((message, error.to_string())),
    }
}

/// A refusal that concerns the password typed to sign.
pub fn is_password_refusal(code: &str) -> bool {
    matches!(
        code,
        "signature_password_wrong" | "wrong_password" | "invalid_credentials" | "too_many_attempts"
    )
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
        self.error = place(viewer, &mut self.inputs, error);
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
    pub meaning: String,
    pub signer: String,
    pub password_error: Option<String>,
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
            meaning: viewer.tr.t(&format!("meaning-{}", meaning.as_str())),
            signer: viewer.who.full_name.as_str().to_owned(),
            password_error: None,
            error: None,
        }
    }

    pub fn show(&self, viewer: &Viewer) -> HttpResponse {
        page(viewer, StatusCode::OK, self)
    }

    /// The dialog again after a refused signature: a wrong password at the password, a
    /// refusal about an input beside it, anything else above the form.
    pub fn refused(mut self, viewer: &Viewer, error: &AppError) -> HttpResponse {
        if is_password_refusal(error.code()) {
            self.password_error = Some(viewer.tr.refusal(error.code()));
        } else {
            self.error = place(viewer, &mut self.inputs, error);
        }
        page(viewer, error.status_code(), &self)
    }
}
