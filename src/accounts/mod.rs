//! Accounts: creating users, roles, deactivation, passwords, logins and sessions. Each change
//! updates the `users`/`sessions` state and appends its ledger event in one transaction.

pub mod events;
pub mod store;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::auth::password::{self, check_policy};
use crate::auth::{is_allowed, Action, AuthError, TokenKeys};
use crate::db::DbConn;
use crate::domain::{DomainError, FullName, Roles, Username};
use crate::error::AppError;
use crate::ledger::{self, Actor, NewEvent, Stream};
use events::*;
pub use store::Account;
use store::{SessionRow, UserRow};

/// The authenticated user behind a request, as the database says now (not as the token said).
#[derive(Debug, Clone)]
pub struct Principal {
    pub username: Username,
    pub full_name: FullName,
    pub roles: Roles,
    pub session_id: String,
    pub must_change_password: bool,
}

impl Principal {
    /// Checks the authorization table, and that a temporary password has been replaced.
    pub fn authorize(&self, action: Action) -> Result<(), AuthError> {
        if self.must_change_password && action != Action::ManageOwnAccount {
            return Err(AuthError::PasswordChangeRequired);
        }
        if is_allowed(&self.roles, action) {
            Ok(())
        } else {
            Err(AuthError::Forbidden(action))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor::user(&self.username)
    }
}

pub fn user_stream(username: &Username) -> Stream {
    Stream::parse(&format!("user/{username}")).expect("a valid username makes a valid stream")
}

/// Database timestamps at the ledger's precision, so values survive both backends unchanged.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn naive(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

pub struct NewAccount {
    pub username: Username,
    pub full_name: FullName,
    pub roles: Roles,
    pub password: SecretString,
    /// Passwords set by someone else are temporary and must be changed at first login.
    pub must_change_password: bool,
}

/// Creates an account. Blocking (hashes the password): run it on the blocking pool.
pub fn create_account(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewAccount,
) -> Result<Account, AppError> {
    check_policy(&new.password, &new.username, &new.full_name)?;
    let password_hash = password::hash_password(&new.password)?;
    let at = naive(now());
    ledger::write(conn, |tx| {
        if store::find_user(tx.conn(), new.username.as_str())?.is_some() {
            return Err(DomainError::conflict(
                "username_taken",
                format!(
                    "the user name '{}' is already taken (names are never reused)",
                    new.username
                ),
            )
            .into());
        }
        let row = UserRow {
            username: new.username.as_str().to_owned(),
            full_name: new.full_name.as_str().to_owned(),
            roles: new.roles.to_column(),
            active: true,
            must_change_password: new.must_change_password,
            password_hash,
            created_at: at,
            updated_at: at,
        };
        store::insert_user(tx.conn(), &row)?;
        let event = UserCreated {
            username: new.username.as_str(),
            full_name: new.full_name.as_str(),
            roles: new.roles.names(),
            must_change_password: new.must_change_password,
        };
        tx.append(actor, NewEvent::new(user_stream(&new.username), &event)?)?;
        Ok(Account::try_from(row)?)
    })
}

/// On a database without any account, creates `admin` with a one-time password and returns
/// that password; otherwise does nothing. Safe when several instances start at once.
pub fn bootstrap_admin(conn: &mut DbConn) -> Result<Option<SecretString>, AppError> {
    if store::count_users(conn)? > 0 {
        return Ok(None);
    }
    let password = password::generate_password();
    let admin = NewAccount {
        username: Username::parse("admin")?,
        full_name: FullName::parse("Initial Administrator")?,
        roles: Roles::new([crate::domain::Role::Admin])?,
        password: password.clone(),
        must_change_password: true,
    };
    match create_account(conn, &Actor::system(), admin) {
        Ok(_) => Ok(Some(password)),
        // Another instance created it first.
        Err(AppError::Domain(e)) if e.code == "username_taken" => Ok(None),
        Err(e) => Err(e),
    }
}

fn load_account(conn: &mut DbConn, username: &Username) -> Result<Account, AppError> {
    let row = store::find_user(conn, username.as_str())?.ok_or_else(|| {
        DomainError::not_found("user_not_found", format!("there is no user '{username}'"))
    })?;
    Ok(Account::try_from(row)?)
}

pub fn list_accounts(conn: &mut DbConn) -> Result<Vec<Account>, AppError> {
    store::list_users(conn)?
        .into_iter()
        .map(|row| Account::try_from(row).map_err(AppError::from))
        .collect()
}

pub fn find_account(conn: &mut DbConn, username: &Username) -> Result<Account, AppError> {
    load_account(conn, username)
}

pub fn change_roles(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
    roles: Roles,
) -> Result<Account, AppError> {
    if &admin.username == username {
        return Err(DomainError::forbidden(
            "own_roles",
            "an administrator cannot change their own roles; ask another administrator",
        )
        .into());
    }
    ledger::write(conn, |tx| {
        let account = load_account(tx.conn(), username)?;
        let at = naive(now());
        store::set_roles(tx.conn(), username.as_str(), &roles, at)?;
        store::end_all_sessions(tx.conn(), username.as_str(), "roles_changed", at)?;
        let event = RolesChanged {
            roles_before: account.roles.names(),
            roles_after: roles.names(),
        };
        tx.append(
            &admin.actor(),
            NewEvent::new(user_stream(username), &event)?,
        )?;
        Ok(Account { roles, ..account })
    })
}

pub fn deactivate(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
    reason: &str,
) -> Result<Account, AppError> {
    if &admin.username == username {
        return Err(DomainError::forbidden(
            "own_account",
            "an administrator cannot deactivate their own account",
        )
        .into());
    }
    ledger::write(conn, |tx| {
        let account = load_account(tx.conn(), username)?;
        if !account.active {
            return Err(DomainError::conflict(
                "already_inactive",
                format!("the user '{username}' is already deactivated"),
            )
            .into());
        }
        let at = naive(now());
        store::set_inactive(tx.conn(), username.as_str(), at)?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), username.as_str(), "deactivated", at)?;
        let event = UserDeactivated {
            reason,
            sessions_ended,
        };
        tx.append(
            &admin.actor(),
            NewEvent::new(user_stream(username), &event)?,
        )?;
        Ok(Account {
            active: false,
            ..account
        })
    })
}

/// Changes one's own password; the current one is required. Ends every session of the user,
/// so the next request must log in again with the new password. Blocking (argon2).
pub fn change_own_password(
    conn: &mut DbConn,
    who: &Principal,
    current: &SecretString,
    new: &SecretString,
) -> Result<(), AppError> {
    let account = load_account(conn, &who.username)?;
    if !password::verify_password(current, &account.password_hash) {
        return Err(
            DomainError::forbidden("wrong_password", "the current password is wrong").into(),
        );
    }
    check_policy(new, &account.username, &account.full_name)?;
    if password::verify_password(new, &account.password_hash) {
        return Err(DomainError::new(
            "password_reused",
            "the new password must differ from the current one",
        )
        .into());
    }
    let new_hash = password::hash_password(new)?;
    ledger::write(conn, |tx| {
        let at = naive(now());
        store::set_password(tx.conn(), who.username.as_str(), &new_hash, false, at)?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), who.username.as_str(), "password_changed", at)?;
        let event = PasswordChanged { sessions_ended };
        tx.append(
            &who.actor(),
            NewEvent::new(user_stream(&who.username), &event)?,
        )?;
        Ok(())
    })
}

pub struct LoginGranted {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub must_change_password: bool,
}

pub struct SessionPolicy {
    pub idle: Duration,
    pub max_age: Duration,
}

/// Checks a password and opens a session. Every attempt, good or bad, is a ledger event.
/// Blocking (argon2).
pub fn login(
    conn: &mut DbConn,
    keys: &TokenKeys,
    policy: &SessionPolicy,
    username: &str,
    password: &SecretString,
    client: &str,
) -> Result<LoginGranted, AppError> {
    let account = match Username::parse(username) {
        Ok(name) => store::find_user(conn, name.as_str())?,
        Err(_) => None,
    };
    let Some(account) = account else {
        password::verify_against_dummy(password);
        let event = UnknownUserLoginFailed {
            username_sha256: hex::encode(Sha256::digest(username.as_bytes())),
            client,
        };
        ledger::write(conn, |tx| {
            tx.append(&Actor::system(), NewEvent::new(Stream::system(), &event)?)
        })?;
        return Err(AuthError::InvalidCredentials.into());
    };
    let account = Account::try_from(account)?;
    let password_ok = password::verify_password(password, &account.password_hash);
    if !password_ok || !account.active {
        let reason = if account.active {
            "wrong_password"
        } else {
            "account_inactive"
        };
        let event = LoginFailed { reason, client };
        ledger::write(conn, |tx| {
            tx.append(
                &Actor::system(),
                NewEvent::new(user_stream(&account.username), &event)?,
            )
        })?;
        return Err(AuthError::InvalidCredentials.into());
    }
    open_session(conn, keys, policy, &account, client)
}

fn open_session(
    conn: &mut DbConn,
    keys: &TokenKeys,
    policy: &SessionPolicy,
    account: &Account,
    client: &str,
) -> Result<LoginGranted, AppError> {
    let started = now();
    let session = SessionRow {
        id: uuid::Uuid::new_v4().to_string(),
        username: account.username.as_str().to_owned(),
        created_at: naive(started),
        last_seen_at: naive(started),
        expires_at: naive(started + policy.max_age),
        ended_at: None,
        end_reason: None,
    };
    let roles = account
        .roles
        .names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let (access_token, token_expiry) =
        keys.issue(account.username.as_str(), roles, &session.id, started)?;
    ledger::write(conn, |tx| {
        store::insert_session(tx.conn(), &session)?;
        let event = LoginSucceeded {
            session_id: &session.id,
            client,
        };
        tx.append(
            &Actor::user(&account.username),
            NewEvent::new(user_stream(&account.username), &event)?,
        )?;
        Ok::<_, AppError>(())
    })?;
    Ok(LoginGranted {
        access_token,
        expires_at: token_expiry.min(started + policy.max_age),
        must_change_password: account.must_change_password,
    })
}

/// Resolves a verified token to the user it names, if its session is still open and the
/// account still active. Ends sessions that have idled or aged out.
pub fn authenticate(
    conn: &mut DbConn,
    policy: &SessionPolicy,
    username: &str,
    session_id: &str,
) -> Result<Principal, AppError> {
    let session = store::find_session(conn, session_id)?.ok_or(AuthError::SessionEnded)?;
    if session.username != username {
        return Err(AuthError::InvalidToken.into());
    }
    if session.ended_at.is_some() {
        return Err(AuthError::SessionEnded.into());
    }
    let at = naive(now());
    let expired = if at > session.expires_at {
        Some("max_age")
    } else if at - session.last_seen_at > policy.idle {
        Some("idle_timeout")
    } else {
        None
    };
    if let Some(reason) = expired {
        store::end_session(conn, session_id, reason, at)?;
        return Err(AuthError::SessionEnded.into());
    }
    let account = store::find_user(conn, username)?.ok_or(AuthError::SessionEnded)?;
    let account = Account::try_from(account)?;
    if !account.active {
        return Err(AuthError::SessionEnded.into());
    }
    store::touch_session(conn, session_id, at)?;
    Ok(Principal {
        username: account.username,
        full_name: account.full_name,
        roles: account.roles,
        session_id: session.id,
        must_change_password: account.must_change_password,
    })
}

pub fn logout(conn: &mut DbConn, who: &Principal) -> Result<(), AppError> {
    ledger::write(conn, |tx| {
        store::end_session(tx.conn(), &who.session_id, "logout", naive(now()))?;
        let event = LoggedOut {
            session_id: &who.session_id,
        };
        tx.append(
            &who.actor(),
            NewEvent::new(user_stream(&who.username), &event)?,
        )?;
        Ok(())
    })
}
