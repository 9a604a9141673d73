//! Lock-out: consecutive wrong passwords (at login, signature or password change) lock an
//! account for a while; the lock, its expiry and an administrator's unlock are ledger events.

use chrono::NaiveDateTime;

use super::{
    find_account, ledger_time, naive_now, record, store, Account, Principal, SecurityPolicy,
};
use crate::db::DbConn;
use crate::domain::account::events::*;
use crate::domain::{DomainError, Username};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Appender};

/// Where a password was checked.
#[derive(Debug, Clone, Copy)]
pub enum Attempt {
    Login,
    Signature,
    PasswordChange,
}

impl Attempt {
    fn as_str(self) -> &'static str {
        match self {
            Attempt::Login => "login",
            Attempt::Signature => "signature",
            Attempt::PasswordChange => "password_change",
        }
    }
}

/// Records one wrong password inside the caller's write transaction and locks the account
/// when the threshold is reached. Returns the lock's end when this failure locked it.
pub fn register_failure(
    tx: &mut Appender<'_>,
    policy: &SecurityPolicy,
    actor: &Actor,
    username: &Username,
    attempt: Attempt,
    client: &str,
) -> Result<Option<NaiveDateTime>, ServiceError> {
    let account = find_account(tx.conn(), username)?;
    let failures = account.failed_attempts.saturating_add(1);
    let reason = login_refusal::WRONG_PASSWORD.to_owned();
    let failure = match attempt {
        Attempt::Login => UserEvent::LoginFailed(LoginFailed {
            reason,
            client: client.to_owned(),
            consecutive_failures: failures,
        }),
        Attempt::Signature => UserEvent::SignatureFailed(PasswordCheckFailed {
            reason,
            consecutive_failures: failures,
        }),
        Attempt::PasswordChange => UserEvent::PasswordChangeFailed(PasswordCheckFailed {
            reason,
            consecutive_failures: failures,
        }),
    };
    record(tx, actor, username, failure)?;
    if failures < policy.lockout_threshold {
        // Never lift a lock here: only its expiry or an administrator does, recorded.
        store::set_failed_attempts(tx.conn(), username.as_str(), failures, account.locked_until)?;
        return Ok(None);
    }
    let at = naive_now();
    let until = at + policy.lockout_duration;
    store::set_failed_attempts(tx.conn(), username.as_str(), 0, Some(until))?;
    let sessions_ended = store::end_all_sessions(tx.conn(), username.as_str(), "locked", at)?;
    let locked = Locked {
        until: ledger_time(until),
        consecutive_failures: failures,
        sessions_ended,
    };
    record(tx, &Actor::system(), username, UserEvent::Locked(locked))?;
    crate::metrics::account_locked();
    Ok(Some(until))
}

/// The end of the account's lock if it is locked now. A lock that has run out is lifted
/// here, and that is recorded.
pub fn current_lock(
    tx: &mut Appender<'_>,
    account: &Account,
) -> Result<Option<NaiveDateTime>, ServiceError> {
    match account.locked_until {
        Some(until) if until > naive_now() => Ok(Some(until)),
        Some(_) => {
            store::set_failed_attempts(tx.conn(), account.username.as_str(), 0, None)?;
            let event = Unlocked {
                reason: "lock_expired".to_owned(),
            };
            record(
                tx,
                &Actor::system(),
                &account.username,
                UserEvent::Unlocked(event),
            )?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Refuses a locked account (for checks made outside the login, where the caller already
/// holds a session: signatures and password changes).
pub fn ensure_unlocked(account: &Account) -> Result<(), ServiceError> {
    match account.locked_until {
        Some(until) if until > naive_now() => {
            Err(crate::auth::AuthError::AccountLocked { until }.into())
        }
        _ => Ok(()),
    }
}

/// Re-checks the password of a signed-in user (to sign, to change the password): refuses a
/// locked account, and counts a wrong password toward lock-out, answering `wrong` unless that
/// failure locked the account. Returns the account as it is now. Blocking (argon2).
pub fn recheck_password(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    who: &Principal,
    password: &secrecy::SecretString,
    attempt: Attempt,
    client: &str,
    wrong: DomainError,
) -> Result<Account, ServiceError> {
    let account = find_account(conn, &who.username)?;
    ensure_unlocked(&account)?;
    if crate::auth::password::verify_password(password, &account.password_hash) {
        if account.failed_attempts > 0 {
            // The run of wrong passwords is over: lock-out counts consecutive failures, not
            // every typo of a long day of signing. Recorded, so the count stays derivable.
            ledger::write(conn, |tx| {
                let fresh = find_account(tx.conn(), &who.username)?;
                if fresh.failed_attempts > 0 {
                    reset_failures(tx, &fresh)?;
                    let event = FailuresCleared {
                        after: attempt.as_str().to_owned(),
                    };
                    record(
                        tx,
                        &who.actor(),
                        &who.username,
                        UserEvent::FailuresCleared(event),
                    )?;
                }
                Ok::<_, ServiceError>(())
            })?;
        }
        return Ok(account);
    }
    let locked = ledger::write(conn, |tx| {
        register_failure(tx, policy, &who.actor(), &who.username, attempt, client)
    })?;
    Err(match locked {
        Some(until) => crate::auth::AuthError::AccountLocked { until }.into(),
        None => wrong.into(),
    })
}

/// A successful password check ends the run of failures.
pub fn reset_failures(tx: &mut Appender<'_>, account: &Account) -> Result<(), ServiceError> {
    if account.failed_attempts > 0 {
        store::set_failed_attempts(
            tx.conn(),
            account.username.as_str(),
            0,
            account.locked_until,
        )?;
    }
    Ok(())
}

/// An administrator lifts a lock early.
pub fn unlock(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
) -> Result<Account, ServiceError> {
    ledger::write(conn, |tx| {
        let account = find_account(tx.conn(), username)?;
        if account.locked_until.is_none() {
            return Err(DomainError::conflict(
                "not_locked",
                format!("the user '{username}' is not locked"),
            )
            .into());
        }
        store::set_failed_attempts(tx.conn(), username.as_str(), 0, None)?;
        let event = Unlocked {
            reason: "admin".to_owned(),
        };
        record(tx, &admin.actor(), username, UserEvent::Unlocked(event))?;
        Ok(Account {
            failed_attempts: 0,
            locked_until: None,
            ..account
        })
    })
}
