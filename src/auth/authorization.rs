//! The one authorization table: which role may perform which action. Every handler asks it;
//! the README prints it; a test walks it against every endpoint.

use std::fmt;

use crate::domain::{Role, Roles};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read one's own account, change one's own password, log out.
    ManageOwnAccount,
    ListUsers,
    CreateUser,
    ChangeUserRoles,
    DeactivateUser,
    ReadLedger,
    VerifyLedger,
}

use Action::*;
use Role::*;

const EVERY_ROLE: &[Role] = &[Operator, QcAnalyst, Qa, Qp, Auditor, Admin];

pub const AUTHORIZATION: &[(Action, &[Role])] = &[
    (ManageOwnAccount, EVERY_ROLE),
    (ListUsers, &[Admin]),
    (CreateUser, &[Admin]),
    (ChangeUserRoles, &[Admin]),
    (DeactivateUser, &[Admin]),
    (ReadLedger, &[Auditor]),
    (VerifyLedger, &[Auditor, Admin]),
];

pub fn allowed_roles(action: Action) -> &'static [Role] {
    AUTHORIZATION
        .iter()
        .find(|(a, _)| *a == action)
        .map_or(&[], |(_, roles)| roles)
}

pub fn is_allowed(roles: &Roles, action: Action) -> bool {
    allowed_roles(action)
        .iter()
        .any(|role| roles.contains(*role))
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            ManageOwnAccount => "manage_own_account",
            ListUsers => "list_users",
            CreateUser => "create_user",
            ChangeUserRoles => "change_user_roles",
            DeactivateUser => "deactivate_user",
            ReadLedger => "read_ledger",
            VerifyLedger => "verify_ledger",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
