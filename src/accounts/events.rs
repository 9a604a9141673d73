//! Ledger payloads of stream `user/<username>` (and failed logins naming no account).

use serde::Serialize;

use crate::ledger::Payload;

#[derive(Debug, Serialize)]
pub struct UserCreated<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub roles: Vec<&'static str>,
    pub must_change_password: bool,
}
impl Payload for UserCreated<'_> {
    const KIND: &'static str = "user.created";
}

#[derive(Debug, Serialize)]
pub struct RolesChanged {
    pub roles_before: Vec<&'static str>,
    pub roles_after: Vec<&'static str>,
}
impl Payload for RolesChanged {
    const KIND: &'static str = "user.roles_changed";
}

#[derive(Debug, Serialize)]
pub struct UserDeactivated<'a> {
    pub reason: &'a str,
    pub sessions_ended: usize,
}
impl Payload for UserDeactivated<'_> {
    const KIND: &'static str = "user.deactivated";
}

#[derive(Debug, Serialize)]
pub struct PasswordChanged {
    pub sessions_ended: usize,
}
impl Payload for PasswordChanged {
    const KIND: &'static str = "user.password_changed";
}

#[derive(Debug, Serialize)]
pub struct LoginSucceeded<'a> {
    pub session_id: &'a str,
    pub client: &'a str,
}
impl Payload for LoginSucceeded<'_> {
    const KIND: &'static str = "user.login_succeeded";
}

#[derive(Debug, Serialize)]
pub struct LoginFailed<'a> {
    pub reason: &'a str,
    pub client: &'a str,
    pub consecutive_failures: i32,
}
impl Payload for LoginFailed<'_> {
    const KIND: &'static str = "user.login_failed";
}

/// A failed login naming no account goes to stream `system` without the typed name: people
/// sometimes type their password into the user name field, and the ledger is forever (even a
/// hash of a password-like string can be reversed by brute force).
#[derive(Debug, Serialize)]
pub struct UnknownUserLoginFailed<'a> {
    pub client: &'a str,
}
impl Payload for UnknownUserLoginFailed<'_> {
    const KIND: &'static str = "auth.login_failed";
}

#[derive(Debug, Serialize)]
pub struct LoggedOut<'a> {
    pub session_id: &'a str,
}
impl Payload for LoggedOut<'_> {
    const KIND: &'static str = "user.logged_out";
}

#[derive(Debug, Serialize)]
pub struct SignatureFailed {
    pub reason: &'static str,
    pub consecutive_failures: i32,
}
impl Payload for SignatureFailed {
    const KIND: &'static str = "user.signature_failed";
}

#[derive(Debug, Serialize)]
pub struct Locked {
    pub until: String,
    pub consecutive_failures: i32,
    pub sessions_ended: usize,
}
impl Payload for Locked {
    const KIND: &'static str = "user.locked";
}

#[derive(Debug, Serialize)]
pub struct Unlocked {
    /// `lock_expired` or `admin`.
    pub reason: &'static str,
}
impl Payload for Unlocked {
    const KIND: &'static str = "user.unlocked";
}

#[derive(Debug, Serialize)]
pub struct PasswordReset {
    pub sessions_ended: usize,
    pub must_change_password: bool,
}
impl Payload for PasswordReset {
    const KIND: &'static str = "user.password_reset";
}

#[derive(Debug, Serialize)]
pub struct PasswordChangeFailed {
    pub reason: &'static str,
    pub consecutive_failures: i32,
}
impl Payload for PasswordChangeFailed {
    const KIND: &'static str = "user.password_change_failed";
}
