//! Domain types and rules: pure, no I/O. Values that exist are valid.

pub mod account;
pub mod batch;
pub mod coi;
pub mod incident;
pub mod material;
pub mod quantity;
mod recorded;
pub mod signature;
pub mod template;
pub mod text;

pub use account::{FullName, Role, Roles, Username};
pub use recorded::Recorded;
pub use signature::SignatureMeaning;

/// Why a command was refused, which decides how the API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The input is not acceptable as given.
    Invalid,
    /// The input is fine but the current state does not allow it.
    Conflict,
    /// The thing named does not exist.
    NotFound,
    /// A rule about who may do this forbids it.
    Forbidden,
}

/// A refusal of a value or a command, with a stable code clients can match, an English
/// message the UI can translate and, where it is about one input, that input's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub refusal: Refusal,
    pub code: &'static str,
    pub message: String,
    /// The input the refusal concerns, named as the command's request names it (`coi`,
    /// `patient_weight_kg`, a step's field id), so that a form shows it beside that input.
    pub field: Option<String>,
}

impl DomainError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self::with(Refusal::Invalid, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::with(Refusal::Conflict, code, message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::with(Refusal::NotFound, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::with(Refusal::Forbidden, code, message)
    }

    fn with(refusal: Refusal, code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            refusal,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same refusal, about the input `field`. A value's own rules (a CoI, a decimal) do
    /// not know which input held it; the command that read the input says so.
    pub fn about(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

/// Names the input a refused value came from, on the way out of a command.
pub trait About {
    fn about(self, field: &str) -> Self;
}

impl<T> About for Result<T, DomainError> {
    fn about(self, field: &str) -> Self {
        self.map_err(|e| e.about(field))
    }
}
