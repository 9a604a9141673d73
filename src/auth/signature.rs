//! What an electronic signature means and what its request carries (21 CFR Part 11 §11.50).

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::Action;
use crate::domain::DomainError;

/// The closed set of signature meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMeaning {
    Performed,
    Verified,
    Witnessed,
    Reviewed,
    Approved,
    Released,
    Rejected,
    ReleasedExceptionally,
}

impl SignatureMeaning {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMeaning::Performed => "performed",
            SignatureMeaning::Verified => "verified",
            SignatureMeaning::Witnessed => "witnessed",
            SignatureMeaning::Reviewed => "reviewed",
            SignatureMeaning::Approved => "approved",
            SignatureMeaning::Released => "released",
            SignatureMeaning::Rejected => "rejected",
            SignatureMeaning::ReleasedExceptionally => "released_exceptionally",
        }
    }

    /// Whether a signature with this meaning may be applied to an existing record on its own.
    /// Release decisions are signed only as part of the batch's release action, where the
    /// release rules are checked.
    pub fn stands_alone(self) -> bool {
        !matches!(
            self,
            SignatureMeaning::Released
                | SignatureMeaning::Rejected
                | SignatureMeaning::ReleasedExceptionally
        )
    }

    /// The authorization-table action a signer needs for this meaning.
    pub fn action(self) -> Action {
        match self {
            SignatureMeaning::Performed => Action::SignPerformed,
            SignatureMeaning::Verified => Action::SignVerified,
            SignatureMeaning::Witnessed => Action::SignWitnessed,
            SignatureMeaning::Reviewed => Action::SignReviewed,
            SignatureMeaning::Approved => Action::SignApproved,
            SignatureMeaning::Released => Action::SignReleased,
            SignatureMeaning::Rejected => Action::SignRejected,
            SignatureMeaning::ReleasedExceptionally => Action::SignReleasedExceptionally,
        }
    }
}

/// The `signature` object that travels next to every action that must be signed. There is no
/// signer field: the signer is always the authenticated user, re-proven by the password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureInput {
    pub password: SecretString,
    pub meaning: SignatureMeaning,
    #[serde(default)]
    pub comment: Option<String>,
}

pub const MAX_COMMENT_CHARS: usize = 2_000;

impl SignatureInput {
    /// The comment, trimmed, with empty treated as none.
    pub fn comment(&self) -> Result<Option<String>, DomainError> {
        let Some(comment) = self.comment.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if comment.chars().count() > MAX_COMMENT_CHARS {
            return Err(DomainError::new(
                "comment_too_long",
                format!("a signature comment has at most {MAX_COMMENT_CHARS} characters"),
            ));
        }
        Ok((!comment.is_empty()).then(|| comment.to_owned()))
    }
}
