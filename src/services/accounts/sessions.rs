//! Logins and server-side sessions: every attempt is a ledger event; a token is only as good
//! as the session it names.

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

use serde::Serialize;

use super::lockout::{current_lock, register_failure, reset_failures, Attempt};
use super::store::{self, SessionRow};
use super::{find_account, naive_now, now, record, Account, Principal, SecurityPolicy};
use crate::auth::{password, AuthError, TokenKeys};
use crate::db::DbConn;
use crate::domain::account::events::{
    login_refusal, LoggedOut, LoginFailed, LoginSucceeded, UserEvent,
};
use crate::domain::Username;
use crate::error::ServiceError;
use crate::ledger::{self, Actor, NewEvent, Payload, Stream};

/// A failed login naming no account goes to stream `system` without the typed name: people
/// sometimes type their password into the user name field, and the ledger is forever (even a
/// hash of a password-like string can be reversed by brute force).
#[derive(Serialize)]
struct UnknownUserLoginFailed<'a> {
    client: &'a str,
}
impl Payload for UnknownUserLoginFailed<'_> {
    const KIND: &'static str = "auth.login_failed";
}

pub struct LoginGranted {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub must_change_password: bool,
}

enum Outcome {
    Granted(Box<(SessionRow, Account)>),
    Denied,
}

/// Checks a password and opens a session. Every attempt, good or bad, is a ledger event;
/// wrong passwords count toward lock-out. Blocking (argon2).
pub fn login(
    conn: &mut DbConn,
    keys: &TokenKeys,
    policy: &SecurityPolicy,
    username: &str,
    password: &SecretString,
    client: &str,
) -> Result<LoginGranted, ServiceError> {
    let known = match Username::parse(username) {
        Ok(name) => store::checked_user(conn, name.as_str())?.map(|row| (name, row.password_hash)),
        Err(_) => None,
    };
    let Some((name, hash_checked)) = known else {
        return refuse_unknown(conn, password, client);
    };
    // The slow check runs before the transaction, so the append lock is never held over it.
    let password_ok = password::verify_password(password, &hash_checked);
    let outcome = ledger::write(conn, |tx| {
        let account = find_account(tx.conn(), &name)?;
        let refused = |reason: &str| {
            UserEvent::LoginFailed(LoginFailed {
                reason: reason.to_owned(),
                client: client.to_owned(),
                consecutive_failures: account.failed_attempts,
            })
        };
        if current_lock(tx, &account)?.is_some() {
            // Recorded, but answered like any wrong password whatever was typed: a locked
            // account that answered the right password differently would tell a guesser when
            // a guess is right, and when the lock ends. Its owner learns of the lock from an
            // administrator, or logs in once it has run out.
            record(
                tx,
                &Actor::system(),
                &name,
                refused(login_refusal::ACCOUNT_LOCKED),
            )?;
            return Ok(Outcome::Denied);
        }
        if !account.active || account.password_hash != hash_checked {
            let reason = if account.active {
                login_refusal::PASSWORD_CHANGED_MEANWHILE
            } else {
                login_refusal::ACCOUNT_INACTIVE
            };
            record(tx, &Actor::system(), &name, refused(reason))?;
            return Ok(Outcome::Denied);
        }
        if !password_ok {
            register_failure(tx, policy, &Actor::system(), &name, Attempt::Login, client)?;
            return Ok(Outcome::Denied);
        }
        reset_failures(tx, &account)?;
        let session = new_session(&account, policy);
        store::insert_session(tx.conn(), &session)?;
        let event = LoginSucceeded {
            session_id: session.id.clone(),
            client: client.to_owned(),
        };
        record(
            tx,
            &Actor::user(&name),
            &name,
            UserEvent::LoginSucceeded(event),
        )?;
        Ok::<_, ServiceError>(Outcome::Granted(Box::new((session, account))))
    })?;
    match outcome {
        Outcome::Granted(granted) => grant(keys, &granted.0, &granted.1),
        Outcome::Denied => Err(AuthError::InvalidCredentials.into()),
    }
}

/// A login naming no account: the same work and the same answer as a wrong password.
fn refuse_unknown(
    conn: &mut DbConn,
    password: &SecretString,
    client: &str,
) -> Result<LoginGranted, ServiceError> {
    password::verify_against_dummy(password);
    let event = UnknownUserLoginFailed { client };
    ledger::write(conn, |tx| {
        tx.append(&Actor::system(), NewEvent::new(Stream::system(), &event)?)
    })?;
    Err(AuthError::InvalidCredentials.into())
}

fn new_session(account: &Account, policy: &SecurityPolicy) -> SessionRow {
    let started = naive_now();
    SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: account.username.as_str().to_owned(),
        created_at: started,
        last_seen_at: started,
        expires_at: started + policy.session_max_age,
        ended_at: None,
        end_reason: None,
        // Sealed as it is stored (`store::insert_session`).
        seal: None,
    }
}

/// A token for the session; it never outlives the session's absolute lifetime.
fn grant(
    keys: &TokenKeys,
    session: &SessionRow,
    account: &Account,
) -> Result<LoginGranted, ServiceError> {
    let roles = account
        .roles
        .names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let (access_token, token_expiry) =
        keys.issue(account.username.as_str(), roles, &session.id, now())?;
    Ok(LoginGranted {
        access_token,
        expires_at: token_expiry.min(session.expires_at.and_utc()),
        must_change_password: account.must_change_password,
    })
}

/// A fresh token for the caller's open session (tokens are short-lived; sessions are not).
pub fn refresh(
    conn: &mut DbConn,
    keys: &TokenKeys,
    who: &Principal,
) -> Result<LoginGranted, ServiceError> {
    let session = store::checked_session(conn, &who.session_id)?.ok_or(AuthError::SessionEnded)?;
    let account = find_account(conn, &who.username)?;
    grant(keys, &session, &account)
}

/// How stale `last_seen_at` may be before a request writes it again. Writing it on every
/// request made every read a write: on SQLite a second fsync per write, and readers queueing
/// on the database's one write lock behind group commits (p99 over 800 ms at 16 clients). A
/// stale value can only end a session early (by at most this much), never keep it open longer.
fn touch_granularity(policy: &SecurityPolicy) -> Duration {
    (policy.session_idle / 30).min(Duration::seconds(30))
}

/// Resolves a verified token to the user it names, if its session is still open and the
/// account still active. Ends sessions that have idled or aged out.
pub fn authenticate(
    conn: &mut DbConn,
    policy: &SecurityPolicy,
    username: &str,
    session_id: &str,
) -> Result<Principal, ServiceError> {
    let session = store::checked_session(conn, session_id)?.ok_or(AuthError::SessionEnded)?;
    if session.username != username {
        return Err(AuthError::InvalidToken.into());
    }
    if session.ended_at.is_some() {
        return Err(AuthError::SessionEnded.into());
    }
    let at = naive_now();
    let expired = if at > session.expires_at {
        Some("max_age")
    } else if at - session.last_seen_at > policy.session_idle {
        Some("idle_timeout")
    } else {
        None
    };
    if let Some(reason) = expired {
        store::end_session(conn, session_id, reason, at)?;
        return Err(AuthError::SessionEnded.into());
    }
    let account = store::checked_user(conn, username)?.ok_or(AuthError::SessionEnded)?;
    let account = Account::try_from(account)?;
    // A lock ends every session when it is set; one revived in the sessions table still ends.
    let locked = account.locked_until.is_some_and(|until| until > at);
    if !account.active || locked {
        return Err(AuthError::SessionEnded.into());
    }
    if at - session.last_seen_at >= touch_granularity(policy) {
        store::touch_session(conn, session_id, at)?;
    }
    Ok(Principal {
        username: account.username,
        full_name: account.full_name,
        roles: account.roles,
        session_id: session.id,
        must_change_password: account.must_change_password,
    })
}

pub fn logout(conn: &mut DbConn, who: &Principal) -> Result<(), ServiceError> {
    ledger::write(conn, |tx| {
        store::end_session(tx.conn(), &who.session_id, "logout", naive_now())?;
        let event = LoggedOut {
            session_id: who.session_id.clone(),
        };
        record(tx, &who.actor(), &who.username, UserEvent::LoggedOut(event))?;
        Ok(())
    })
}
