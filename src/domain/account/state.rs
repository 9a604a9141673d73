//! An account folded from its ledger stream, and the rules of the account approval flow
//! (21 CFR Part 11 §11.100(b)-(c), EU GMP Annex 11 §12): nobody acts through an account whose
//! owner has not certified their signature and whose roles someone other than their requester
//! has not approved.

use std::collections::BTreeSet;

use super::events::*;
use super::{Role, Roles};
use crate::domain::{DomainError, Recorded};

/// Roles waiting for approval, and everyone who asked for them since the last approval (the
/// creator, administrators who changed the roles or reset the password), since none of them
/// may approve them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRoles {
    pub roles: BTreeSet<Role>,
    pub requested_by: BTreeSet<String>,
}

impl PendingRoles {
    /// `roles` asked for by `actor`, on top of whoever asked before and is still unanswered.
    fn asked(earlier: Option<PendingRoles>, roles: BTreeSet<Role>, actor: &str) -> PendingRoles {
        let mut requested_by = earlier.map(|p| p.requested_by).unwrap_or_default();
        requested_by.insert(actor.to_owned());
        PendingRoles {
            roles,
            requested_by,
        }
    }
}

/// What the ledger says an account is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub username: String,
    pub full_name: String,
    pub created_by: String,
    /// Effective roles: only these authorize anything.
    pub roles: BTreeSet<Role>,
    pub pending: Option<PendingRoles>,
    pub active: bool,
    pub must_change_password: bool,
    pub acknowledged_at: Option<String>,
    pub locked_until: Option<String>,
    pub failed_attempts: i32,
    pub credential_sha256: String,
    /// Session ids opened by a recorded login.
    pub sessions_opened: BTreeSet<String>,
}

/// A stream that cannot be an account's history: a fault of the data, never of a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stream entry {seq}: {reason}")]
pub struct FoldError {
    pub seq: i64,
    pub reason: String,
}

impl AccountState {
    /// `None` for an empty stream.
    pub fn fold(events: &[Recorded<UserEvent>]) -> Result<Option<AccountState>, FoldError> {
        let mut state: Option<AccountState> = None;
        for recorded in events {
            state = Some(match (state, &recorded.event) {
                (None, UserEvent::Created(created)) => AccountState::created(recorded, created),
                (None, _) => {
                    return Err(fold_error(
                        recorded,
                        "the stream does not begin with user.created",
                    ))
                }
                (Some(_), UserEvent::Created(_)) => {
                    return Err(fold_error(recorded, "a second user.created"))
                }
                (Some(mut account), event) => {
                    account.apply(recorded, event);
                    account
                }
            });
        }
        Ok(state)
    }

    fn created(recorded: &Recorded<UserEvent>, created: &UserCreated) -> AccountState {
        let pending = (!created.roles_pending.is_empty()).then(|| {
            let roles = created.roles_pending.iter().copied().collect();
            PendingRoles::asked(None, roles, &recorded.actor)
        });
        AccountState {
            username: created.username.clone(),
            full_name: created.full_name.clone(),
            created_by: recorded.actor.clone(),
            roles: created.roles.iter().copied().collect(),
            pending,
            active: true,
            must_change_password: created.must_change_password,
            acknowledged_at: None,
            locked_until: None,
            failed_attempts: 0,
            credential_sha256: created.credential_sha256.clone(),
            sessions_opened: BTreeSet::new(),
        }
    }

    fn apply(&mut self, recorded: &Recorded<UserEvent>, event: &UserEvent) {
        match event {
            UserEvent::Created(_) | UserEvent::SignatureApplied(_) | UserEvent::LoggedOut(_) => {}
            UserEvent::RolesRequested(request) => {
                self.roles = request.roles_effective.iter().copied().collect();
                let requested: BTreeSet<Role> = request.roles_requested.iter().copied().collect();
                let earlier = self.pending.take();
                self.pending = (requested != self.roles)
                    .then(|| PendingRoles::asked(earlier, requested, &recorded.actor));
            }
            UserEvent::Acknowledged(_) => self.acknowledged_at = Some(recorded.recorded_at.clone()),
            UserEvent::RolesApproved(approved) => {
                self.roles = approved.roles.iter().copied().collect();
                self.pending = None;
            }
            UserEvent::Deactivated(_) => self.active = false,
            UserEvent::PasswordChanged(changed) => {
                self.must_change_password = false;
                self.credential_sha256 = changed.credential_sha256.clone();
            }
            UserEvent::PasswordReset(reset) => {
                self.must_change_password = reset.must_change_password;
                self.credential_sha256 = reset.credential_sha256.clone();
                // The administrator saw the new password: the owner certifies again with their
                // own, and someone else approves the roles again.
                self.acknowledged_at = None;
                let mut waiting = std::mem::take(&mut self.roles);
                let earlier = self.pending.take();
                waiting.extend(earlier.iter().flat_map(|p| p.roles.iter().copied()));
                self.pending = (!waiting.is_empty())
                    .then(|| PendingRoles::asked(earlier, waiting, &recorded.actor));
            }
            UserEvent::LoginSucceeded(login) => {
                self.failed_attempts = 0;
                self.sessions_opened.insert(login.session_id.clone());
            }
            UserEvent::LoginFailed(failed) => {
                if failed.reason == login_refusal::WRONG_PASSWORD {
                    self.failed_attempts = failed.consecutive_failures;
                }
            }
            UserEvent::SignatureFailed(failed) | UserEvent::PasswordChangeFailed(failed) => {
                self.failed_attempts = failed.consecutive_failures;
            }
            UserEvent::Locked(locked) => {
                self.failed_attempts = 0;
                self.locked_until = Some(locked.until.clone());
            }
            UserEvent::FailuresCleared(_) => self.failed_attempts = 0,
            UserEvent::Unlocked(_) => {
                self.failed_attempts = 0;
                self.locked_until = None;
            }
        }
    }
}

fn fold_error(recorded: &Recorded<UserEvent>, reason: &str) -> FoldError {
    FoldError {
        seq: recorded.seq,
        reason: reason.to_owned(),
    }
}

/// Who approves pending roles.
#[derive(Debug, Clone)]
pub enum Approver<'a> {
    /// A signed-in user, with the roles in effect for them now.
    Person { username: &'a str, roles: &'a Roles },
    /// Someone at the server's console, who names the person who confirmed the identity.
    Console { confirmed_by: String },
}

/// The owner certifies that their electronic signature binds them, once, after replacing the
/// temporary password (so that the signature is made with a password only they know).
pub fn decide_acknowledgment(account: &AccountState) -> Result<Acknowledged, DomainError> {
    if account.must_change_password {
        return Err(DomainError::conflict(
            "password_change_required",
            "replace your temporary password before certifying your electronic signature",
        ));
    }
    if account.acknowledged_at.is_some() {
        return Err(DomainError::conflict(
            "already_acknowledged",
            "you have already certified your electronic signature",
        ));
    }
    Ok(Acknowledged {
        statement: ACKNOWLEDGMENT_STATEMENT.to_owned(),
    })
}

/// Makes pending roles effective. An administrator's account is approved by another
/// administrator; every other role by QA. Never by the account itself, nor by whoever asked
/// for the roles, and never before the owner's acknowledgment.
pub fn decide_approval(
    account: &AccountState,
    approver: &Approver<'_>,
) -> Result<RolesApproved, DomainError> {
    let pending = account.pending.as_ref().ok_or_else(|| {
        DomainError::conflict(
            "nothing_pending",
            format!(
                "the user '{}' has no roles waiting for approval",
                account.username
            ),
        )
    })?;
    if !account.active {
        return Err(DomainError::conflict(
            "account_inactive",
            format!("the user '{}' is deactivated", account.username),
        ));
    }
    if account.must_change_password {
        return Err(DomainError::conflict(
            "password_change_required",
            format!(
                "the user '{}' still has a temporary password someone else has seen; roles are \
                 approved once they have set their own",
                account.username
            ),
        ));
    }
    if account.acknowledged_at.is_none() {
        return Err(DomainError::conflict(
            "not_acknowledged",
            format!(
                "the user '{}' has not yet certified their electronic signature; \
                 roles are approved only after that",
                account.username
            ),
        ));
    }
    let (via, confirmed_by) = match approver {
        Approver::Person { username, roles } => {
            check_person_may_approve(account, pending, username, roles)?;
            (ApprovedVia::Signature, None)
        }
        Approver::Console { confirmed_by } => (ApprovedVia::Console, Some(confirmed_by.clone())),
    };
    Ok(RolesApproved {
        roles: pending.roles.iter().copied().collect(),
        via,
        confirmed_by,
    })
}

fn check_person_may_approve(
    account: &AccountState,
    pending: &PendingRoles,
    approver: &str,
    approver_roles: &Roles,
) -> Result<(), DomainError> {
    if approver == account.username {
        return Err(DomainError::forbidden(
            "own_account",
            "nobody approves the roles of their own account",
        ));
    }
    if pending.requested_by.contains(approver) {
        return Err(DomainError::forbidden(
            "approver_requested_roles",
            format!(
                "you created this account or asked for these roles; someone else must confirm \
                 the identity of '{}' and approve them",
                account.username
            ),
        ));
    }
    let needed = approving_role(&pending.roles);
    if !approver_roles.contains(needed) {
        return Err(DomainError::forbidden(
            "approver_role",
            format!(
                "roles {} are approved by a user with the role {needed}",
                names(&pending.roles)
            ),
        ));
    }
    Ok(())
}

/// The role whose holder approves a set of roles: administrators vouch for administrators,
/// QA for everyone who records, reviews or audits GMP data.
pub fn approving_role(roles: &BTreeSet<Role>) -> Role {
    if roles.contains(&Role::Admin) {
        Role::Admin
    } else {
        Role::Qa
    }
}

/// A request for new roles: roles taken away end at once (least privilege); roles added wait
/// for approval.
pub fn decide_roles_request(
    account: &AccountState,
    requester: &str,
    requested: &Roles,
    sessions_ended: usize,
) -> Result<RolesRequested, DomainError> {
    if requester == account.username {
        return Err(DomainError::forbidden(
            "own_roles",
            "an administrator cannot change their own roles; ask another administrator",
        ));
    }
    if !account.active {
        return Err(DomainError::conflict(
            "account_inactive",
            format!("the user '{}' is deactivated", account.username),
        ));
    }
    let requested: BTreeSet<Role> = requested.iter().collect();
    let effective = account.roles.intersection(&requested).copied().collect();
    Ok(RolesRequested {
        roles_before: account.roles.iter().copied().collect(),
        roles_requested: requested.into_iter().collect(),
        roles_effective: effective,
        sessions_ended,
    })
}

fn names(roles: &BTreeSet<Role>) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
