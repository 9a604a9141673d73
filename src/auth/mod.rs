//! Authentication and authorization primitives: password hashing, tokens, the permission table.

pub mod authorization;
pub mod csrf;
pub mod password;
pub mod signature;
pub mod throttle;
pub mod token;

pub use authorization::{is_allowed, Action, AUTHORIZATION};
pub use csrf::CsrfKey;
pub use signature::{required_action, SignatureInput, SignatureMeaning};
pub use throttle::Throttle;
pub use token::{Claims, TokenKeys};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Wrong password, unknown user or inactive account: one answer, so that nobody can learn
    /// which user names exist.
    #[error("user name or password is wrong")]
    InvalidCredentials,
    #[error("this request needs a bearer token")]
    MissingToken,
    #[error("the token is invalid or expired")]
    InvalidToken,
    #[error("the session has ended; log in again")]
    SessionEnded,
    #[error("your role does not permit this action ({0})")]
    Forbidden(Action),
    #[error("you must change your temporary password before doing anything else")]
    PasswordChangeRequired,
    #[error("this endpoint has no authorization rule; refused")]
    NoRule,
    #[error("the account is locked after repeated wrong passwords until {until} UTC; an administrator can unlock it")]
    AccountLocked { until: chrono::NaiveDateTime },
    #[error("too many password attempts; try again in {retry_after_seconds} s")]
    TooManyAttempts { retry_after_seconds: u64 },
    #[error("password hashing failed")]
    Hashing,
}
