//! The events of stream `user/<username>`: one typed enum, serialized once by the ledger and
//! decoded back from `kind` + payload to fold an account's state.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::domain::signature::SignatureApplied;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum UserEvent {
    #[serde(rename = "user.created")]
    Created(UserCreated),
    #[serde(rename = "user.roles_requested")]
    RolesRequested(RolesRequested),
    #[serde(rename = "user.acknowledged")]
    Acknowledged(Acknowledged),
    #[serde(rename = "user.roles_approved")]
    RolesApproved(RolesApproved),
    #[serde(rename = "user.deactivated")]
    Deactivated(UserDeactivated),
    #[serde(rename = "user.password_changed")]
    PasswordChanged(PasswordChanged),
    #[serde(rename = "user.password_reset")]
    PasswordReset(PasswordReset),
    #[serde(rename = "user.login_succeeded")]
    LoginSucceeded(LoginSucceeded),
    #[serde(rename = "user.login_failed")]
    LoginFailed(LoginFailed),
    #[serde(rename = "user.logged_out")]
    LoggedOut(LoggedOut),
    #[serde(rename = "user.signature_failed")]
    SignatureFailed(PasswordCheckFailed),
    #[serde(rename = "user.password_change_failed")]
    PasswordChangeFailed(PasswordCheckFailed),
    /// A right password after wrong ones (at signing or a password change) ends the run.
    #[serde(rename = "user.failures_cleared")]
    FailuresCleared(FailuresCleared),
    #[serde(rename = "user.locked")]
    Locked(Locked),
    #[serde(rename = "user.unlocked")]
    Unlocked(Unlocked),
    /// A signature over records of this stream (an acknowledgment, an approval, a review).
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

/// Who a credential is, without the credential: SHA-256 of the stored argon2 PHC string. It
/// lets `cartrec verify` notice a password hash swapped in the database, and reveals nothing
/// an attacker could test guesses against (the salt is inside the hashed string).
pub type CredentialDigest = String;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserCreated {
    pub username: String,
    pub full_name: String,
    /// Effective at once: only for accounts made at the server's console.
    pub roles: Vec<Role>,
    /// Waiting for approval by someone other than the creator.
    #[serde(default)]
    pub roles_pending: Vec<Role>,
    pub must_change_password: bool,
    pub credential_sha256: CredentialDigest,
}

/// An administrator asked for new roles: removed roles end at once, added ones wait for
/// approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesRequested {
    pub roles_before: Vec<Role>,
    pub roles_requested: Vec<Role>,
    pub roles_effective: Vec<Role>,
    pub sessions_ended: usize,
}

/// The person's own certification, signed with meaning `acknowledged`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledged {
    pub statement: String,
}

/// The wording a person certifies before any role of theirs can take effect.
pub const ACKNOWLEDGMENT_STATEMENT: &str = "I certify that my electronic signature in cartrec \
     is the legally binding equivalent of my traditional handwritten signature \
     (21 CFR Part 11 §11.100(c); EU GMP Annex 11 §14).";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovedVia {
    /// An approver's electronic signature (meaning `approved`) follows in the stream.
    Signature,
    /// At the server's console (`cartrec user approve`), by someone with access to the host.
    Console,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesApproved {
    pub roles: Vec<Role>,
    pub via: ApprovedVia,
    /// Console approvals: the printed name of the person who confirmed the identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDeactivated {
    pub reason: String,
    pub sessions_ended: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChanged {
    pub sessions_ended: usize,
    pub credential_sha256: CredentialDigest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub sessions_ended: usize,
    pub must_change_password: bool,
    pub credential_sha256: CredentialDigest,
    /// The administrator knows the new password: the effective roles wait for approval again,
    /// by someone else.
    pub roles_suspended: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginSucceeded {
    pub session_id: String,
    pub client: String,
}

/// Reasons a login is refused, as the ledger records them.
pub mod login_refusal {
    pub const WRONG_PASSWORD: &str = "wrong_password";
    pub const ACCOUNT_LOCKED: &str = "account_locked";
    pub const ACCOUNT_INACTIVE: &str = "account_inactive";
    pub const PASSWORD_CHANGED_MEANWHILE: &str = "password_changed_meanwhile";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginFailed {
    pub reason: String,
    pub client: String,
    pub consecutive_failures: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedOut {
    pub session_id: String,
}

/// A wrong password at signing or at a password change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordCheckFailed {
    pub reason: String,
    pub consecutive_failures: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locked {
    /// RFC 3339, 6 fractional digits, `Z`.
    pub until: String,
    pub consecutive_failures: i32,
    pub sessions_ended: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unlocked {
    /// `lock_expired` or `admin`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailuresCleared {
    /// `signature` or `password_change`.
    pub after: String,
}
