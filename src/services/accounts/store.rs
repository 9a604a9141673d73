//! Rows of `users` and `sessions`: the current state behind authentication. Every change of a
//! `users` row seals it again (`seal`); [`checked_user`] reads a row only if its seal holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::seal::{self, Covered};
use crate::db::schema::{password_history, sessions, users};
use crate::db::DbConn;
use crate::domain::account::InvalidAccountRow;
use crate::domain::{FullName, Roles, Username};
use crate::error::ServiceError;
use crate::ledger::heads;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub roles: String,
    pub roles_pending: String,
    pub active: bool,
    pub must_change_password: bool,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub failed_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    /// `seal::text` of this row, sealed with the ledger's row key; `None` before it was sealed.
    pub seal: Option<String>,
}

impl UserRow {
    fn covered(&self) -> Covered<'_> {
        Covered {
            username: &self.username,
            full_name: &self.full_name,
            roles: &self.roles,
            roles_pending: &self.roles_pending,
            active: self.active,
            must_change_password: self.must_change_password,
            password_hash: &self.password_hash,
            failed_attempts: self.failed_attempts,
            locked_until: self.locked_until,
            acknowledged_at: self.acknowledged_at,
        }
    }
}

/// An account as the domain sees it: parsed, so every field is valid.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: Username,
    pub full_name: FullName,
    /// Effective roles.
    pub roles: Roles,
    /// Roles waiting for approval.
    pub roles_pending: Roles,
    pub active: bool,
    pub must_change_password: bool,
    pub password_hash: String,
    pub failed_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
}

impl TryFrom<UserRow> for Account {
    type Error = InvalidAccountRow;

    fn try_from(row: UserRow) -> Result<Self, InvalidAccountRow> {
        let invalid = |reason| InvalidAccountRow {
            username: row.username.clone(),
            reason,
        };
        Ok(Account {
            username: Username::parse(&row.username).map_err(invalid)?,
            full_name: FullName::parse(&row.full_name).map_err(invalid)?,
            roles: Roles::from_column(&row.roles).map_err(invalid)?,
            roles_pending: Roles::from_column(&row.roles_pending).map_err(invalid)?,
            active: row.active,
            must_change_password: row.must_change_password,
            password_hash: row.password_hash,
            failed_attempts: row.failed_attempts,
            locked_until: row.locked_until,
            acknowledged_at: row.acknowledged_at,
        })
    }
}

pub fn find_user(conn: &mut DbConn, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(username)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// How many times a read is repeated while writes move the row or its stream under it (each
/// statement outside a transaction sees its own snapshot; the tip only moves forward, since
/// every change of a row commits with an account event).
const READS: usize = 8;

/// The user's row, if its seal holds (or no ledger key is at hand to check it). A row that
/// does not match its seal is refused with `ledger_unverified`, and the instance stops
/// trusting its ledger; a row without a seal (written before seals, not yet adopted) is
/// refused without that alarm.
pub fn checked_user(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ServiceError> {
    let Some(sealer) = heads::current() else {
        return Ok(find_user(conn, username)?);
    };
    let mut previous = None;
    for _ in 0..READS {
        let tip = seal::tip(conn, username)?;
        let Some(row) = find_user(conn, username)? else {
            return Ok(None);
        };
        let Some(stored) = row.seal.as_deref() else {
            return Err(seal::not_yet_sealed(username));
        };
        let text = seal::text(&row.covered(), tip.as_ref());
        if sealer.rows().matches(&text, stored) {
            return Ok(Some(row));
        }
        // A pair read twice alike is what the database holds, not a write caught halfway.
        if previous.as_ref() == Some(&text) {
            return Err(seal::broken(&sealer, username, tip.map_or(0, |t| t.seq)));
        }
        previous = Some(text);
    }
    Err(seal::busy(username))
}

/// The user's row, checked against its seal and locked for the rest of the transaction (an
/// `UPDATE` takes the row's lock on PostgreSQL; SQLite's writer holds the whole database), so
/// that what a change carries over is what cartrec sealed, not an edit made in between.
/// Called before every change of the row and every account event.
pub fn guard(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ServiceError> {
    lock_row(conn, username)?;
    checked_user(conn, username)
}

/// Takes the row's lock for the rest of the transaction, changing nothing.
fn lock_row(conn: &mut DbConn, username: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(username))
        .set(users::seal.eq(users::seal))
        .execute(conn)
}

/// The seal of the row as it stands against its stream's newest account event.
fn seal_of(
    conn: &mut DbConn,
    sealer: &crate::ledger::Sealer,
    row: &UserRow,
) -> Result<String, ServiceError> {
    let tip = seal::tip(conn, &row.username)?;
    Ok(sealer
        .rows()
        .seal(&seal::text(&row.covered(), tip.as_ref())))
}

/// Whether a sealed row still matches its seal (`None`: no seal yet, or no ledger key at
/// hand to check it with). For `verify`; it raises no alarm.
pub fn seal_holds(conn: &mut DbConn, row: &UserRow) -> Result<Option<bool>, ServiceError> {
    let (Some(sealer), Some(stored)) = (heads::current(), row.seal.as_deref()) else {
        return Ok(None);
    };
    let tip = seal::tip(conn, &row.username)?;
    let text = seal::text(&row.covered(), tip.as_ref());
    Ok(Some(sealer.rows().matches(&text, stored)))
}

/// Seals the user's row as it now stands, against the newest account event of the user's
/// stream: after every change of the row and every account event, in the same transaction,
/// and only after [`guard`] checked the row it changes. Where no ledger key is at hand the
/// seal is cleared instead (a stale one would raise a false alarm); the next start seals the
/// row again once the ledger has verified and the row agrees with it.
pub fn reseal(conn: &mut DbConn, username: &str) -> Result<(), ServiceError> {
    let Some(row) = find_user(conn, username)? else {
        return Ok(());
    };
    let sealed = match heads::current() {
        Some(sealer) => Some(seal_of(conn, &sealer, &row)?),
        None => None,
    };
    diesel::update(users::table.find(username))
        .set(users::seal.eq(sealed))
        .execute(conn)?;
    Ok(())
}

/// Seals a row without a seal, exactly as it was read and compared with the ledger (under the
/// append lock, the row locked by [`adopt_lock`]); does nothing if it gained a seal meanwhile.
pub fn seal_as_read(conn: &mut DbConn, row: &UserRow) -> Result<bool, ServiceError> {
    let Some(sealer) = heads::current() else {
        return Ok(false);
    };
    let sealed = seal_of(conn, &sealer, row)?;
    let changed = diesel::update(users::table.find(&row.username))
        .filter(users::seal.is_null())
        .set(users::seal.eq(sealed))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Locks a row and reads it as it stands, for [`seal_as_read`].
pub fn adopt_lock(conn: &mut DbConn, username: &str) -> Result<Option<UserRow>, ServiceError> {
    lock_row(conn, username)?;
    Ok(find_user(conn, username)?)
}

pub fn list_users(conn: &mut DbConn) -> QueryResult<Vec<UserRow>> {
    users::table
        .order(users::username.asc())
        .select(UserRow::as_select())
        .load(conn)
}

pub fn count_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn insert_user(conn: &mut DbConn, row: &UserRow) -> Result<(), ServiceError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    reseal(conn, &row.username)
}

pub fn set_roles(
    conn: &mut DbConn,
    username: &str,
    effective: &Roles,
    pending: &Roles,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set((
            users::roles.eq(effective.to_column()),
            users::roles_pending.eq(pending.to_column()),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    reseal(conn, username)
}

pub fn clear_acknowledged(conn: &mut DbConn, username: &str) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set(users::acknowledged_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    reseal(conn, username)
}

pub fn set_acknowledged(
    conn: &mut DbConn,
    username: &str,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set((users::acknowledged_at.eq(at), users::updated_at.eq(at)))
        .execute(conn)?;
    reseal(conn, username)
}

pub fn set_inactive(
    conn: &mut DbConn,
    username: &str,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set((users::active.eq(false), users::updated_at.eq(now)))
        .execute(conn)?;
    reseal(conn, username)
}

pub fn set_failed_attempts(
    conn: &mut DbConn,
    username: &str,
    failed_attempts: i32,
    locked_until: Option<NaiveDateTime>,
) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set((
            users::failed_attempts.eq(failed_attempts),
            users::locked_until.eq(locked_until),
        ))
        .execute(conn)?;
    reseal(conn, username)
}

/// The newest `limit` password hashes of a user, the current one included.
pub fn recent_password_hashes(
    conn: &mut DbConn,
    username: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    password_history::table
        .filter(password_history::username.eq(username))
        .order(password_history::set_at.desc())
        .limit(limit)
        .select(password_history::password_hash)
        .load(conn)
}

pub fn remember_password(
    conn: &mut DbConn,
    username: &str,
    password_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(password_history::table)
        .values((
            password_history::username.eq(username),
            password_history::password_hash.eq(password_hash),
            password_history::set_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_password(
    conn: &mut DbConn,
    username: &str,
    password_hash: &str,
    must_change: bool,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    guard(conn, username)?;
    diesel::update(users::table.find(username))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    reseal(conn, username)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub username: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub end_reason: Option<String>,
    /// `seal::session_text` of this row, sealed with the ledger's row key.
    pub seal: Option<String>,
}

pub fn list_sessions(conn: &mut DbConn) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .order(sessions::created_at.asc())
        .select(SessionRow::as_select())
        .load(conn)
}

/// Stores a new session, sealed.
pub fn insert_session(conn: &mut DbConn, row: &SessionRow) -> QueryResult<()> {
    let sealed = SessionRow {
        seal: session_seal(row),
        ..row.clone()
    };
    diesel::insert_into(sessions::table)
        .values(&sealed)
        .execute(conn)
        .map(drop)
}

fn session_seal(row: &SessionRow) -> Option<String> {
    heads::current().map(|sealer| sealer.rows().seal(&seal::session_text(row)))
}

fn find_session(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// The session, if its row is one cartrec wrote: a row without a seal (planted, or opened
/// before sessions were sealed) is no session; one that does not match its seal (revived or
/// prolonged in the database) makes the instance read-only.
pub fn checked_session(conn: &mut DbConn, id: &str) -> Result<Option<SessionRow>, ServiceError> {
    let Some(row) = find_session(conn, id)? else {
        return Ok(None);
    };
    let Some(sealer) = heads::current() else {
        return Ok(Some(row));
    };
    match row.seal.as_deref() {
        None => Ok(None),
        Some(stored) if sealer.rows().matches(&seal::session_text(&row), stored) => Ok(Some(row)),
        Some(_) => Err(seal::broken_session(&sealer, &row)),
    }
}

/// Whether a session row matches its seal (`None`: no seal, or no key to check it with).
pub fn session_seal_holds(row: &SessionRow) -> Option<bool> {
    let (sealer, stored) = (heads::current()?, row.seal.as_deref()?);
    Some(sealer.rows().matches(&seal::session_text(row), stored))
}

pub fn touch_session(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Ends a session if it is open, sealing its end in the same statement (a reader never sees
/// the end without its seal). The row's seal is checked first, so an end never seals an edit
/// made around cartrec; a row without a seal is ended and stays without one.
pub fn end_session(
    conn: &mut DbConn,
    id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<usize, ServiceError> {
    let Some(open) = find_session(conn, id)?.filter(|s| s.ended_at.is_none()) else {
        return Ok(0);
    };
    if session_seal_holds(&open) == Some(false) {
        if let Some(sealer) = heads::current() {
            return Err(seal::broken_session(&sealer, &open));
        }
    }
    let sealed = open.seal.is_some();
    let ended = SessionRow {
        ended_at: Some(now),
        ..open
    };
    let seal = session_seal(&ended).filter(|_| sealed);
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::ended_at.is_null()),
    )
    .set((
        sessions::ended_at.eq(now),
        sessions::end_reason.eq(reason),
        sessions::seal.eq(seal),
    ))
    .execute(conn)
    .map_err(ServiceError::from)
}

/// Ends every open session of a user; returns how many were open.
pub fn end_all_sessions(
    conn: &mut DbConn,
    username: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<usize, ServiceError> {
    let open: Vec<String> = sessions::table
        .filter(sessions::username.eq(username))
        .filter(sessions::ended_at.is_null())
        .select(sessions::id)
        .load(conn)?;
    let mut ended = 0;
    for id in open {
        ended += end_session(conn, &id, reason, now)?;
    }
    Ok(ended)
}

/// Seals a session row again as it stands (for tests that age a session in the database).
pub fn reseal_session(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    let Some(row) = find_session(conn, id)? else {
        return Ok(());
    };
    diesel::update(sessions::table.find(id))
        .set(sessions::seal.eq(session_seal(&row)))
        .execute(conn)
        .map(drop)
}
