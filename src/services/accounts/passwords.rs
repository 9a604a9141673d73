//! Changing one's own password and an administrator's reset to a temporary one.

use secrecy::SecretString;

use super::lockout::{recheck_password, Attempt};
use super::{find_account, naive_now, record, refuse_self, store, Principal, SecurityPolicy};
use crate::auth::password::{self, check_policy, credential_digest};
use crate::db::DbConn;
use crate::domain::account::events::{PasswordChanged, PasswordReset, UserEvent};
use crate::domain::{DomainError, Roles, Username};
use crate::error::ServiceError;
use crate::ledger;

/// Changes one's own password; the current one is required and a wrong one counts toward
/// lock-out. The new one must meet the policy and differ from the last few. Ends every
/// session of the user. Blocking (argon2).
pub fn change_own_password(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    who: &Principal,
    current: &SecretString,
    new: &SecretString,
    client: &str,
) -> Result<(), ServiceError> {
    let wrong = DomainError::forbidden("wrong_password", "the current password is wrong");
    let account = recheck_password(
        conn,
        policy,
        who,
        current,
        Attempt::PasswordChange,
        client,
        wrong,
    )?;
    check_policy(new, &account.username, &account.full_name)?;
    refuse_reuse(conn, policy, &who.username, new)?;
    let new_hash = password::hash_password(new)?;
    ledger::write(conn, |tx| {
        let at = naive_now();
        store::set_password(tx.conn(), who.username.as_str(), &new_hash, false, at)?;
        store::remember_password(tx.conn(), who.username.as_str(), &new_hash, at)?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), who.username.as_str(), "password_changed", at)?;
        let event = PasswordChanged {
            sessions_ended,
            credential_sha256: credential_digest(&new_hash),
        };
        record(
            tx,
            &who.actor(),
            &who.username,
            UserEvent::PasswordChanged(event),
        )?;
        Ok(())
    })
}

fn refuse_reuse(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    username: &Username,
    new: &SecretString,
) -> Result<(), ServiceError> {
    let recent = store::recent_password_hashes(conn, username.as_str(), policy.password_history)?;
    if recent
        .iter()
        .any(|hash| password::verify_password(new, hash))
    {
        return Err(DomainError::new(
            "password_reused",
            format!(
                "choose a password you have not used for your last {} passwords",
                policy.password_history
            ),
        )
        .into());
    }
    Ok(())
}

/// An administrator has a new temporary password generated, which the user must change at
/// next login. Returns it, to be shown once. The administrator has seen it, and could log in
/// with it and act as the user: so the account's roles are suspended until someone other than
/// that administrator confirms the person and approves them again.
pub fn reset_password(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
) -> Result<SecretString, ServiceError> {
    refuse_self(
        admin,
        username,
        "own_account",
        "change your own password with /api/v1/auth/password",
    )?;
    find_account(conn, username)?;
    let temporary = password::generate_password();
    let new_hash = password::hash_password(&temporary)?;
    ledger::write(conn, |tx| {
        let account = find_account(tx.conn(), username)?;
        let at = naive_now();
        store::set_password(tx.conn(), username.as_str(), &new_hash, true, at)?;
        store::remember_password(tx.conn(), username.as_str(), &new_hash, at)?;
        let suspended = Roles::held(account.roles.iter().chain(account.roles_pending.iter()))?;
        store::set_roles(tx.conn(), username.as_str(), &Roles::none(), &suspended, at)?;
        store::clear_acknowledged(tx.conn(), username.as_str())?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), username.as_str(), "password_reset", at)?;
        let event = PasswordReset {
            sessions_ended,
            must_change_password: true,
            credential_sha256: credential_digest(&new_hash),
            roles_suspended: account.roles.iter().collect(),
        };
        record(
            tx,
            &admin.actor(),
            username,
            UserEvent::PasswordReset(event),
        )?;
        Ok::<_, ServiceError>(())
    })?;
    Ok(temporary)
}
