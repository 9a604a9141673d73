//! The one machine every signed form of the UI goes through: what was typed read back
//! ([`field`], [`position`]), the signature part of every dialog ([`Signature`], drawn by
//! `ui/signature.html`), the signing itself ([`sign`]: the password re-checked for the
//! meaning and the throttle counted, as the API does), and where a refusal is shown
//! ([`Refusal`]: at the password, beside the input it names, or above the form).
//!
//! The forms differ only in how they are laid out: [`form`] is one page (inputs, signature,
//! password) for the writes after manufacturing; [`review`] is a form and then the dialog
//! that shows what is signed (QC, QA's oversight, a step, whose inputs [`step`] makes from
//! the template); [`plain`] is master data and accounts, which are not a batch's.

pub mod form;
mod input;
pub mod plain;
pub mod review;
pub mod step;

pub use input::Input;

use actix_web::{web, HttpRequest};
use secrecy::SecretString;

use super::session::{self, Viewer};
use super::WebError;
use crate::auth::{SignatureInput, SignatureMeaning};
use crate::domain::template::Template as ProcessTemplate;
use crate::edge::{AppState, SignedWork};
use crate::error::AppError;
use crate::services::batches::{self, BatchView};

/// A form as posted: every (name, value) pair, in order, kept as typed.
pub type Typed = Vec<(String, String)>;

/// The value of the input `name`, empty when the form had none.
pub fn field(form: &[(String, String)], name: &str) -> String {
    value_of(form, name).unwrap_or_default()
}

fn value_of(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// Every value of the inputs named `name` (ticked checkboxes).
pub fn all(form: &[(String, String)], name: &str) -> Vec<String> {
    form.iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
        .collect()
}

/// The inputs of `form` named in `names`, to carry through the signature dialog.
pub fn carry(form: &[(String, String)], names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| ((*name).to_owned(), field(form, name)))
        .collect()
}

/// The position of the batch's stream the form was shown at, sent as `If-Match`.
pub fn position(form: &[(String, String)]) -> Option<i64> {
    field(form, "position").parse().ok()
}

/// The signature part of every dialog: the signer's printed name, the meaning of the
/// signature, and the password (with what a refusal said of it).
pub struct Signature {
    pub meaning: String,
    pub signer: String,
    pub password_error: Option<String>,
    /// Whether the password input takes the focus when the page opens.
    pub focus: bool,
}

impl Signature {
    pub fn new(viewer: &Viewer, meaning: SignatureMeaning) -> Signature {
        Signature {
            meaning: viewer.tr.t(&format!("meaning-{}", meaning.as_str())),
            signer: viewer.who.full_name.as_str().to_owned(),
            password_error: None,
            focus: false,
        }
    }

    /// The dialog again after a refusal of the password.
    pub fn refused(&mut self, message: String) {
        self.password_error = Some(message);
        self.focus = true;
    }
}

/// Signs `work` with the password and comment typed into `form`, for `meaning`, as the API
/// handler signs it.
pub async fn sign<T, F>(
    req: &HttpRequest,
    viewer: &Viewer,
    form: &[(String, String)],
    meaning: SignatureMeaning,
    work: F,
) -> Result<Result<T, AppError>, WebError>
where
    T: Send + 'static,
    F: SignedWork<T>,
{
    let state = session::state(req)?;
    let signature = signature(form, meaning);
    let who = viewer.who.clone();
    Ok(crate::edge::signed(req, &state, who, signature, meaning, work).await)
}

/// The password and comment typed into `form`, for a signature meaning `meaning`.
pub fn signature(form: &[(String, String)], meaning: SignatureMeaning) -> SignatureInput {
    SignatureInput {
        password: SecretString::from(field(form, "password")),
        meaning,
        comment: Some(field(form, "comment")).filter(|c| !c.trim().is_empty()),
    }
}

/// A refusal as a form shows it: in this language, with the server's own words beneath, at
/// the place it concerns.
pub struct Refusal {
    pub message: String,
    pub detail: String,
    concerns: Concerns,
}

enum Concerns {
    /// The password typed to sign (wrong, or too many attempts).
    Password,
    /// The input (the command's member) the refusal names.
    Input(String),
    Form,
}

impl Refusal {
    pub fn of(viewer: &Viewer, error: &AppError) -> Refusal {
        let concerns = match (error.code(), error.field()) {
            (
                "signature_password_wrong"
                | "wrong_password"
                | "invalid_credentials"
                | "too_many_attempts",
                _,
            ) => Concerns::Password,
            (_, Some(member)) => Concerns::Input(member.to_owned()),
            (_, None) => Concerns::Form,
        };
        Refusal {
            message: viewer.tr.refusal(error.code()),
            detail: error.to_string(),
            concerns,
        }
    }

    /// What to say at the password, when the refusal is about it.
    pub fn at_password(&self) -> Option<String> {
        matches!(self.concerns, Concerns::Password).then(|| self.message.clone())
    }

    /// The command's member the refusal is about, if it names one.
    pub fn member(&self) -> Option<&str> {
        match &self.concerns {
            Concerns::Input(member) => Some(member),
            _ => None,
        }
    }

    /// The message and the server's words, to show above the form.
    pub fn above(&self) -> (String, String) {
        (self.message.clone(), self.detail.clone())
    }

    /// Beside the input it names, and above the form (a review form shows the one or the
    /// other, see [`review::FormPage::settled`]).
    pub fn form_errors(&self) -> FormErrors {
        let beside = self
            .member()
            .map(|member| (member.to_owned(), self.message.clone()));
        (beside, Some(self.above()))
    }
}

/// Where a form's refusal is shown: beside an input (its member and the message), and
/// above the form.
pub type FormErrors = (Option<(String, String)>, Option<(String, String)>);

/// The batch as it is now.
pub async fn batch(state: &web::Data<AppState>, number: String) -> Result<BatchView, WebError> {
    Ok(state
        .db
        .run(move |conn| batches::record_view(conn, &number))
        .await?)
}

/// A batch's record as people read it, with its pinned template.
pub async fn batch_and_template(
    state: &web::Data<AppState>,
    number: String,
) -> Result<(BatchView, ProcessTemplate), WebError> {
    Ok(state
        .db
        .run(move |conn| batches::record_and_template(conn, &number))
        .await?)
}
