//! What a signature request carries, and which action of the authorization table each
//! signature meaning needs (21 CFR Part 11 §11.50).

use secrecy::SecretString;
use serde::Deserialize;

use super::Action;
use crate::domain::text::printable_line;
use crate::domain::DomainError;
pub use crate::domain::SignatureMeaning;

/// The authorization-table action a signer needs for this meaning. An acknowledgment is one's
/// own certification, which every account makes, whatever its roles.
pub fn required_action(meaning: SignatureMeaning) -> Action {
    match meaning {
        SignatureMeaning::Performed => Action::SignPerformed,
        SignatureMeaning::Verified => Action::SignVerified,
        SignatureMeaning::Witnessed => Action::SignWitnessed,
        SignatureMeaning::Reviewed => Action::SignReviewed,
        SignatureMeaning::Approved => Action::SignApproved,
        SignatureMeaning::Released => Action::SignReleased,
        SignatureMeaning::Rejected => Action::SignRejected,
        SignatureMeaning::ReleasedExceptionally => Action::SignReleasedExceptionally,
        SignatureMeaning::Requested => Action::SignRequested,
        SignatureMeaning::Acknowledged => Action::ManageOwnAccount,
    }
}

/// The `signature` object that travels next to every action that must be signed. There is no
/// signer field: the signer is always the authenticated user, re-proven by the password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureInput {
    /// The signer's own password, re-entered for this signature.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
    pub meaning: SignatureMeaning,
    /// One line of printable text, printed with the signature.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

pub const MAX_COMMENT_CHARS: usize = 2_000;

impl SignatureInput {
    /// The comment, printed with the signature: one line of printable text in NFC, with empty
    /// treated as none.
    pub fn comment(&self) -> Result<Option<String>, DomainError> {
        match self.comment.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(comment) => printable_line(
                comment,
                "invalid_comment",
                "a signature comment",
                1..=MAX_COMMENT_CHARS,
            )
            .map(Some),
        }
    }
}
