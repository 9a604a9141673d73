//! Accounts: creating users, asking for roles (their signed approval is `crate::services::approvals`),
//! deactivation, passwords, logins, sessions and lock-out. Every change appends its event to the user's stream and updates the
//! `users`/`sessions` tables (the current state authentication reads) in one transaction;
//! `audit` proves those tables still say what the ledger says.

pub mod audit;
mod lockout;
mod passwords;
mod seal;
mod sessions;
pub mod store;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use secrecy::SecretString;

use crate::auth::password::{self, credential_digest};
use crate::auth::{is_allowed, Action, AuthError};
use crate::config::Settings;
use crate::db::DbConn;
use crate::domain::account::events::*;
use crate::domain::account::state::{decide_roles_request, AccountState};
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError, FullName, Roles, Username};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Appender, Entry, NewEvent, Stream};
pub use lockout::{ensure_unlocked, recheck_password, register_failure, unlock, Attempt};
pub use passwords::{change_own_password, reset_password};
pub use sessions::{authenticate, login, logout, refresh, LoginGranted};
pub use store::Account;
use store::UserRow;

/// The authenticated user behind a request, as the database says now (not as the token said).
#[derive(Debug, Clone)]
pub struct Principal {
    pub username: Username,
    pub full_name: FullName,
    /// Effective roles; none until an approver has made them effective.
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

/// Session, lock-out and password-reuse rules, from the settings.
#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    pub session_idle: Duration,
    pub session_max_age: Duration,
    pub lockout_threshold: i32,
    pub lockout_duration: Duration,
    pub password_history: i64,
}

impl SecurityPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        SecurityPolicy {
            session_idle: Duration::minutes(settings.session_idle_minutes.into()),
            session_max_age: Duration::hours(settings.session_max_hours.into()),
            lockout_threshold: settings
                .lockout_threshold
                .max(1)
                .try_into()
                .unwrap_or(i32::MAX),
            lockout_duration: Duration::minutes(settings.lockout_minutes.into()),
            password_history: settings.password_history.max(1).into(),
        }
    }
}

/// When roles asked for at creation take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// At once: accounts made at the server's console (the first administrator).
    Immediate,
    /// After the owner's acknowledgment and an approver's signature.
    Pending,
}

pub fn user_stream(username: &Username) -> Stream {
    Stream::parse(&format!("user/{username}")).expect("a valid username makes a valid stream")
}

/// Appends one event to a user's stream, and seals the user's row against it.
pub(crate) fn record(
    tx: &mut Appender<'_>,
    actor: &Actor,
    username: &Username,
    event: UserEvent,
) -> Result<Entry, ServiceError> {
    store::guard(tx.conn(), username.as_str())?;
    let entry = tx.append(actor, NewEvent::typed(user_stream(username), &event)?)?;
    store::reseal(tx.conn(), username.as_str())?;
    Ok(entry)
}

/// The account as its stream says it is now. Read inside a write transaction, it is the state
/// a decision is made on.
pub(crate) fn folded(conn: &mut DbConn, username: &Username) -> Result<AccountState, ServiceError> {
    let events = ledger::stream_events::<UserEvent>(conn, &user_stream(username))?;
    AccountState::fold(&events)
        .map_err(|e| ledger::LedgerError::Corrupt {
            seq: e.seq,
            reason: e.reason,
        })?
        .ok_or_else(|| {
            DomainError::not_found("user_not_found", format!("there is no user '{username}'"))
                .into()
        })
}

/// Database timestamps at the ledger's precision, so values survive both backends unchanged.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn naive_now() -> NaiveDateTime {
    now().naive_utc()
}

/// The ledger's timestamp form (`2026-11-25T10:00:00.000000Z`) for a stored time.
pub fn ledger_time(at: NaiveDateTime) -> String {
    ledger::format_recorded_at(at.and_utc())
}

pub struct NewAccount {
    pub username: Username,
    pub full_name: FullName,
    pub roles: Roles,
    /// Checked against the password policy by whoever chose it; generated ones are strong.
    pub password: SecretString,
    /// Passwords set by someone else are temporary and must be changed at first login.
    pub must_change_password: bool,
    pub approval: Approval,
}

impl NewAccount {
    /// An account an administrator asks for, as `POST /api/v1/users` and the UI's form name
    /// it: a generated temporary password, its roles waiting for a second administrator.
    pub fn requested(
        username: &str,
        full_name: &str,
        roles: &[String],
        password: SecretString,
    ) -> Result<NewAccount, DomainError> {
        Ok(NewAccount {
            username: Username::parse(username).about("username")?,
            full_name: FullName::parse(full_name).about("full_name")?,
            roles: Roles::parse_names(roles).about("roles")?,
            password,
            must_change_password: true,
            approval: Approval::Pending,
        })
    }
}

/// Creates an account. Blocking (hashes the password): run it on the blocking pool.
pub fn create_account(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewAccount,
) -> Result<Account, ServiceError> {
    let password_hash = password::hash_password(&new.password)?;
    let at = naive_now();
    ledger::write(conn, |tx| {
        if store::find_user(tx.conn(), new.username.as_str())?.is_some() {
            return Err(DomainError::conflict(
                "username_taken",
                format!(
                    "the user name '{}' is already taken (names are never reused)",
                    new.username
                ),
            )
            .about("username")
            .into());
        }
        let (effective, pending) = match new.approval {
            Approval::Immediate => (new.roles.clone(), Roles::none()),
            Approval::Pending => (Roles::none(), new.roles.clone()),
        };
        let row = UserRow {
            username: new.username.as_str().to_owned(),
            full_name: new.full_name.as_str().to_owned(),
            roles: effective.to_column(),
            roles_pending: pending.to_column(),
            active: true,
            must_change_password: new.must_change_password,
            password_hash,
            created_at: at,
            updated_at: at,
            failed_attempts: 0,
            locked_until: None,
            acknowledged_at: None,
            seal: None,
        };
        store::insert_user(tx.conn(), &row)?;
        store::remember_password(tx.conn(), &row.username, &row.password_hash, at)?;
        let event = UserCreated {
            username: row.username.clone(),
            full_name: row.full_name.clone(),
            roles: effective.iter().collect(),
            roles_pending: pending.iter().collect(),
            must_change_password: new.must_change_password,
            credential_sha256: credential_digest(&row.password_hash),
        };
        record(tx, actor, &new.username, UserEvent::Created(event))?;
        Ok(Account::try_from(row)?)
    })
}

/// On a database without any account, creates `admin` with a one-time password and returns
/// that password; otherwise does nothing. Safe when several instances start at once. Made by
/// the server itself, so its role is effective at once: somebody must approve the others.
pub fn bootstrap_admin(conn: &mut DbConn) -> Result<Option<SecretString>, ServiceError> {
    // From the ledger too: a users table emptied behind cartrec's back must not yield a new
    // admin whose role is effective at once.
    if store::count_users(conn)? > 0 || !ledger::streams_with_prefix(conn, "user/")?.is_empty() {
        return Ok(None);
    }
    let password = password::generate_password();
    let admin = NewAccount {
        username: Username::parse("admin")?,
        full_name: FullName::parse("Initial Administrator")?,
        roles: Roles::new([crate::domain::Role::Admin])?,
        password: password.clone(),
        must_change_password: true,
        approval: Approval::Immediate,
    };
    match create_account(conn, &Actor::system(), admin) {
        Ok(_) => Ok(Some(password)),
        // Another instance created it first.
        Err(ServiceError::Domain(e)) if e.code == "username_taken" => Ok(None),
        Err(e) => Err(e),
    }
}

/// The account, from its row if the row's seal holds.
pub fn find_account(conn: &mut DbConn, username: &Username) -> Result<Account, ServiceError> {
    let row = store::checked_user(conn, username.as_str())?.ok_or_else(|| {
        DomainError::not_found("user_not_found", format!("there is no user '{username}'"))
    })?;
    Ok(Account::try_from(row)?)
}

pub fn list_accounts(conn: &mut DbConn) -> Result<Vec<Account>, ServiceError> {
    store::list_users(conn)?
        .into_iter()
        .map(|row| Account::try_from(row).map_err(ServiceError::from))
        .collect()
}

/// Refuses an administrator acting on their own account where another must act.
fn refuse_self(
    admin: &Principal,
    username: &Username,
    code: &'static str,
    message: &str,
) -> Result<(), ServiceError> {
    if &admin.username == username {
        return Err(DomainError::forbidden(code, message).into());
    }
    Ok(())
}

/// Asks for new roles: roles removed end at once with every session of the user; roles added
/// wait for approval (`approve`).
pub fn request_roles(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
    roles: Roles,
) -> Result<Account, ServiceError> {
    ledger::write(conn, |tx| {
        let account = folded(tx.conn(), username)?;
        let at = naive_now();
        let sessions_ended =
            store::end_all_sessions(tx.conn(), username.as_str(), "roles_changed", at)?;
        let request =
            decide_roles_request(&account, admin.username.as_str(), &roles, sessions_ended)?;
        let effective = Roles::held(request.roles_effective.iter().copied())?;
        let pending = if request.roles_requested == request.roles_effective {
            Roles::none()
        } else {
            roles
        };
        store::set_roles(tx.conn(), username.as_str(), &effective, &pending, at)?;
        record(
            tx,
            &admin.actor(),
            username,
            UserEvent::RolesRequested(request),
        )?;
        find_account(tx.conn(), username)
    })
}

pub fn deactivate(
    conn: &mut DbConn,
    admin: &Principal,
    username: &Username,
    reason: &str,
) -> Result<Account, ServiceError> {
    let reason = printable_line(reason, "invalid_reason", "a reason", 1..=500).about("reason")?;
    let reason = reason.as_str();
    refuse_self(
        admin,
        username,
        "own_account",
        "an administrator cannot deactivate their own account",
    )?;
    ledger::write(conn, |tx| {
        let account = find_account(tx.conn(), username)?;
        if !account.active {
            return Err(DomainError::conflict(
                "already_inactive",
                format!("the user '{username}' is already deactivated"),
            )
            .into());
        }
        let at = naive_now();
        store::set_inactive(tx.conn(), username.as_str(), at)?;
        let sessions_ended =
            store::end_all_sessions(tx.conn(), username.as_str(), "deactivated", at)?;
        let event = UserDeactivated {
            reason: reason.to_owned(),
            sessions_ended,
        };
        record(tx, &admin.actor(), username, UserEvent::Deactivated(event))?;
        Ok(Account {
            active: false,
            ..account
        })
    })
}
