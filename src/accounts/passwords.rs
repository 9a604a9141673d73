//! Changing one's own password and an administrator's reset to a temporary one.

use secrecy::SecretString;

use super::events::{PasswordChanged, PasswordReset};
use super::lockout::{recheck_password, Attempt};
use super::{find_account, naive_now, refuse_self, store, user_stream, Principal, SecurityPolicy};
use crate::auth::password::{self, check_policy};
use crate::db::DbConn;
use crate::domain::{DomainError, Username};
use crate::error::AppError;
use crate::ledger::{self, NewEvent};

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
) -> Result<(), AppError> {
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
        tx.append(
            &who.actor(),
            NewEvent::new(
                user_stream(&who.username),
                &PasswordChanged { sessions_ended },
            )?,
        )?;
        Ok(())
    })
}

fn refuse_reuse(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    username: &Username,
    new: &SecretString,
) -> Result<(), AppError> {
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

/// An administrator sets a temporary password, which the user must change at next login.
pub fn reset_password(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
    temporary: &SecretString,
) -> Result<(), AppError> {
    refuse_self(
        admin,
        username,
        "own_account",
        "change your own password with /api/v1/auth/password",
    )?;
    let account = find_account(conn, username)?;
    check_policy(temporary, &account.username, &account.full_name)?;
    let new_hash = password::hash_password(temporary)?;
    ledger::write(conn, |tx| {
        let at = naive_now();
        store::set_password(tx.conn(), username.as_str(), &new_hash, true, at)?;
        store::remember_password(tx.conn(), username.as_str(), &new_hash, at)?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), username.as_str(), "password_reset", at)?;
        let event = PasswordReset {
            sessions_ended,
            must_change_password: true,
        };
        tx.append(
            &admin.actor(),
            NewEvent::new(user_stream(username), &event)?,
        )?;
        Ok(())
    })
}
