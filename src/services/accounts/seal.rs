//! Seals of `users` rows: a row grants its roles only while it is the one cartrec wrote.
//!
//! Authentication and signatures read the `users` row (roles, active, lock, password hash),
//! not the fold of the user's stream: that would grow with every login. So each row carries a
//! seal ([`crate::ledger::RowSeals`]) over every column that grants or refuses a right and the
//! hash of the newest of the account's events in its stream. Every change of a row and every account event
//! appended to the stream seals the row again, in the same transaction (`store`). A row
//! someone edited in the database, copied from another user, or put back from before a change
//! (a role removed, a lock set) no longer matches its seal: the account grants nothing, and
//! the instance stops trusting its ledger (read-only, the alarm raised) until it verifies
//! again.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::ledger_time;
use super::store::SessionRow;
use crate::db::DbConn;
use crate::domain::DomainError;
use crate::error::ServiceError;
use crate::ledger::{self, LedgerError, Sealer, Stream, StreamTip};

/// The columns of a `users` row that grant or refuse a right.
pub struct Covered<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub roles: &'a str,
    pub roles_pending: &'a str,
    pub active: bool,
    pub must_change_password: bool,
    pub password_hash: &'a str,
    pub failed_attempts: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
}

/// What a seal is computed over, in a fixed field order (serde keeps a struct's order).
#[derive(Serialize)]
struct SealedText<'a> {
    format: u8,
    username: &'a str,
    full_name: &'a str,
    roles: &'a str,
    roles_pending: &'a str,
    active: bool,
    must_change_password: bool,
    password_hash: &'a str,
    failed_attempts: i32,
    locked_until: Option<String>,
    acknowledged_at: Option<String>,
    /// The newest entry of the user's stream: a row put back from before it is refused.
    entry_seq: Option<i64>,
    entry_hash: Option<String>,
}

/// The text a seal covers: the row's columns and its stream's newest entry.
pub fn text(row: &Covered<'_>, tip: Option<&StreamTip>) -> Vec<u8> {
    let sealed = SealedText {
        format: 1,
        username: row.username,
        full_name: row.full_name,
        roles: row.roles,
        roles_pending: row.roles_pending,
        active: row.active,
        must_change_password: row.must_change_password,
        password_hash: row.password_hash,
        failed_attempts: row.failed_attempts,
        locked_until: row.locked_until.map(ledger_time),
        acknowledged_at: row.acknowledged_at.map(ledger_time),
        entry_seq: tip.map(|t| t.seq),
        entry_hash: tip.map(|t| hex::encode(t.hash)),
    };
    serde_json::to_vec(&sealed).unwrap_or_else(|_| unreachable!("plain fields serialize"))
}

/// The newest of the account's own events in the user's stream (every one is appended by
/// `record`, which seals the row again; the signatures applied to them change no right).
pub fn tip(conn: &mut DbConn, username: &str) -> Result<Option<StreamTip>, ServiceError> {
    let stream = Stream::parse(&format!("user/{username}"))?;
    Ok(ledger::newest_of_kind(conn, &stream, "user.")?)
}

/// The refusal of a row that has no seal yet: it grants nothing until it is adopted (sealed
/// once the ledger has verified in full and the row agrees with it). No alarm: every row of a
/// database from before seals looks so until then.
pub fn not_yet_sealed(username: &str) -> ServiceError {
    LedgerError::Unverified {
        seq: 0,
        reason: format!(
            "the users row of '{username}' has no seal yet: it is sealed once the ledger has \
             verified in full and the row agrees with it"
        ),
    }
    .into()
}

/// A row that kept changing while it was read: asked again, not taken for tampering.
pub fn busy(username: &str) -> ServiceError {
    DomainError::conflict(
        "account_busy",
        format!("the account '{username}' changed while it was read; try again"),
    )
    .into()
}

/// The refusal of a row that does not match its seal; the instance stops trusting its ledger.
pub fn broken(sealer: &Sealer, username: &str, seq: i64) -> ServiceError {
    let error: LedgerError = sealer.trust().distrust(
        seq,
        format!(
            "the users row of '{username}' does not match its seal: it was changed outside \
             cartrec"
        ),
    );
    error.into()
}

/// What a session's seal covers: everything that decides whether its token is good, except
/// `last_seen_at`, which only ever ends a session earlier (idle timeout) and is written by
/// reads.
#[derive(Serialize)]
struct SealedSession<'a> {
    format: u8,
    table: &'static str,
    id: &'a str,
    username: &'a str,
    created_at: String,
    expires_at: String,
    ended_at: Option<String>,
}

/// The text a session row's seal covers.
pub fn session_text(row: &SessionRow) -> Vec<u8> {
    let sealed = SealedSession {
        format: 1,
        table: "sessions",
        id: &row.id,
        username: &row.username,
        created_at: ledger_time(row.created_at),
        expires_at: ledger_time(row.expires_at),
        ended_at: row.ended_at.map(ledger_time),
    };
    serde_json::to_vec(&sealed).unwrap_or_else(|_| unreachable!("plain fields serialize"))
}

/// The refusal of a session row that does not match its seal; the instance stops trusting
/// its ledger.
pub fn broken_session(sealer: &Sealer, row: &SessionRow) -> ServiceError {
    let error: LedgerError = sealer.trust().distrust(
        0,
        format!(
            "the session row {} of '{}' does not match its seal: it was changed outside cartrec              (revived or prolonged)",
            row.id, row.username
        ),
    );
    error.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(roles: &'a str) -> Covered<'a> {
        Covered {
            username: "ana",
            full_name: "Ana Rossi",
            roles,
            roles_pending: "",
            active: true,
            must_change_password: false,
            password_hash: "$argon2id$...",
            failed_attempts: 0,
            locked_until: None,
            acknowledged_at: None,
        }
    }

    #[test]
    fn the_text_changes_with_every_right_and_with_the_stream() {
        let tip = StreamTip {
            seq: 9,
            stream_seq: 2,
            hash: [1; 32],
        };
        let base = text(&row("operator"), Some(&tip));
        assert_ne!(base, text(&row("admin"), Some(&tip)));
        assert_ne!(base, text(&row("operator"), None));
        let later = StreamTip { seq: 12, ..tip };
        assert_ne!(base, text(&row("operator"), Some(&later)));
        let mut locked = row("operator");
        locked.locked_until = chrono::DateTime::from_timestamp(0, 0).map(|t| t.naive_utc());
        assert_ne!(base, text(&locked, Some(&tip)));
    }
}
