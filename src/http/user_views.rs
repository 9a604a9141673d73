//! Accounts as the API answers them.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::accounts::Account;

/// An account as the API shows it. Password hashes never leave the server.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    username: String,
    full_name: String,
    /// Effective roles: only these authorize anything.
    #[schema(value_type = Vec<String>, example = json!(["operator"]))]
    roles: Vec<&'static str>,
    /// Roles waiting for the owner's acknowledgment and an approver's signature.
    #[schema(value_type = Vec<String>)]
    roles_pending: Vec<&'static str>,
    active: bool,
    must_change_password: bool,
    /// UTC, without an offset (`YYYY-MM-DDTHH:MM:SS[.ffffff]`).
    #[schema(value_type = Option<String>, example = "2025-01-31T12:00:00")]
    locked_until: Option<chrono::NaiveDateTime>,
    /// When the owner certified that their electronic signature binds them (UTC, without an
    /// offset).
    #[schema(value_type = Option<String>, example = "2025-01-31T12:00:00")]
    acknowledged_at: Option<chrono::NaiveDateTime>,
}

impl From<Account> for UserView {
    fn from(account: Account) -> Self {
        UserView {
            username: account.username.as_str().to_owned(),
            full_name: account.full_name.as_str().to_owned(),
            roles: account.roles.names(),
            roles_pending: account.roles_pending.names(),
            active: account.active,
            must_change_password: account.must_change_password,
            locked_until: account.locked_until,
            acknowledged_at: account.acknowledged_at,
        }
    }
}

/// An account just given a temporary password, which is shown this once.
#[derive(Serialize, ToSchema)]
pub struct WithTemporaryPassword {
    #[serde(flatten)]
    user: UserView,
    temporary_password: String,
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub(super) users: Vec<UserView>,
}

pub(super) fn with_password(account: Account, password: &SecretString) -> WithTemporaryPassword {
    WithTemporaryPassword {
        user: UserView::from(account),
        temporary_password: password.expose_secret().to_owned(),
    }
}
