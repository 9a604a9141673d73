//! Proof that the account tables still say what the ledger says. `users` is a projection of
//! the `user/<name>` streams, except for the password hash, a secret the ledger cannot hold:
//! the ledger holds its SHA-256 instead. `sessions` holds open logins; each must have been
//! opened by a recorded login. Someone with database access who grants a role, lifts a lock,
//! swaps a password hash or plants a session is named by `cartrec verify`.

use std::collections::BTreeMap;

use super::ledger_time;
use super::store::{self, UserRow};
use crate::auth::password::credential_digest;
use crate::db::DbConn;
use crate::domain::account::events::UserEvent;
use crate::domain::account::state::AccountState;
use crate::domain::{Role, Roles};
use crate::error::ServiceError;
use crate::ledger::{self, Stream};

/// Every disagreement between the account tables and the ledger, one sentence each.
pub fn mismatches(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let mut found = Vec::new();
    let states = folded_accounts(conn, &mut found)?;
    let mut rows: BTreeMap<String, UserRow> = store::list_users(conn)?
        .into_iter()
        .map(|row| (row.username.clone(), row))
        .collect();
    for (username, state) in &states {
        match rows.remove(username) {
            None => found.push(format!(
                "user '{username}': the ledger holds this account but the users table has no row"
            )),
            Some(row) => {
                let fields = differing_fields(&row, state);
                if !fields.is_empty() {
                    found.push(format!(
                        "user '{username}': the users row disagrees with the ledger ({})",
                        fields.join("; ")
                    ));
                } else if store::seal_holds(conn, &row)? == Some(false) {
                    // Says what the ledger says, but not as cartrec sealed it: put back with
                    // an old seal, or sealed with another row's.
                    found.push(format!(
                        "user '{username}': the users row does not match its seal (put back \
                         from before a change, or sealed with another row's seal)"
                    ));
                }
            }
        }
    }
    for username in rows.keys() {
        found.push(format!(
            "user '{username}': the users table has a row the ledger never recorded"
        ));
    }
    for session in store::list_sessions(conn)? {
        let opened = states
            .get(&session.username)
            .is_some_and(|state| state.sessions_opened.contains(&session.id));
        if !opened {
            found.push(format!(
                "user '{}': session {} was not opened by a recorded login",
                session.username, session.id
            ));
        } else if store::session_seal_holds(&session) == Some(false) {
            found.push(format!(
                "user '{}': session {} does not match its seal (revived or prolonged outside \
                 cartrec)",
                session.username, session.id
            ));
        }
    }
    Ok(found)
}

/// Seals the `users` rows that have no seal yet (written before seals existed) and say what
/// the ledger says. Run only after the ledger verified in full (so the streams folded here are
/// what cartrec wrote), under the append lock, each row locked and sealed exactly as compared.
/// A row that disagrees stays unsealed, so it grants nothing; it is logged, and `verify` names
/// it. Returns how many rows were sealed.
pub fn adopt_unsealed(conn: &mut DbConn) -> Result<usize, ServiceError> {
    let unsealed: Vec<String> = store::list_users(conn)?
        .into_iter()
        .filter(|row| row.seal.is_none())
        .map(|row| row.username)
        .collect();
    if unsealed.is_empty() {
        return Ok(0);
    }
    ledger::under_lock(conn, |conn| {
        let states = folded_accounts(conn, &mut Vec::new())?;
        let mut sealed = 0;
        for username in unsealed {
            let Some(row) = store::adopt_lock(conn, &username)? else {
                continue;
            };
            if row.seal.is_some() {
                continue;
            }
            let agrees = states
                .get(&username)
                .is_some_and(|state| differing_fields(&row, state).is_empty());
            if !agrees {
                tracing::error!(
                    %username,
                    "a users row without a seal disagrees with the ledger: left unsealed, it \
                     grants nothing"
                );
            } else if store::seal_as_read(conn, &row)? {
                sealed += 1;
            }
        }
        Ok(sealed)
    })
}

/// Every account the ledger holds. A stream that is not an account's history (an event that
/// does not decode, a stream that does not begin with its creation) is reported, not folded.
fn folded_accounts(
    conn: &mut DbConn,
    found: &mut Vec<String>,
) -> Result<BTreeMap<String, AccountState>, ServiceError> {
    let mut states = BTreeMap::new();
    for name in ledger::streams_with_prefix(conn, "user/")? {
        let folded = ledger::stream_events::<UserEvent>(conn, &Stream::parse(&name)?)
            .map_err(|e| e.to_string())
            .and_then(|events| AccountState::fold(&events).map_err(|e| e.to_string()));
        match folded {
            Ok(Some(state)) => {
                states.insert(state.username.clone(), state);
            }
            Ok(None) => {}
            Err(reason) => found.push(format!(
                "stream {name} is not an account's history: {reason}"
            )),
        }
    }
    Ok(states)
}

fn differing_fields(row: &UserRow, state: &AccountState) -> Vec<String> {
    let mut fields = Vec::new();
    let mut compare = |field: &str, table: String, ledger: String| {
        if table != ledger {
            fields.push(format!("{field}: table '{table}', ledger '{ledger}'"));
        }
    };
    compare("full_name", row.full_name.clone(), state.full_name.clone());
    compare("roles", row.roles.clone(), column(state.roles.iter()));
    let pending = state.pending.iter().flat_map(|p| p.roles.iter());
    compare("roles_pending", row.roles_pending.clone(), column(pending));
    compare("active", row.active.to_string(), state.active.to_string());
    compare(
        "must_change_password",
        row.must_change_password.to_string(),
        state.must_change_password.to_string(),
    );
    compare(
        "locked_until",
        row.locked_until.map(ledger_time).unwrap_or_default(),
        state.locked_until.clone().unwrap_or_default(),
    );
    compare(
        "failed_attempts",
        row.failed_attempts.to_string(),
        state.failed_attempts.to_string(),
    );
    compare(
        "acknowledged_at",
        row.acknowledged_at.map(ledger_time).unwrap_or_default(),
        state.acknowledged_at.clone().unwrap_or_default(),
    );
    if credential_digest(&row.password_hash) != state.credential_sha256 {
        fields.push("password_hash: not the credential the ledger recorded".to_owned());
    }
    fields
}

/// The stored form of a set of roles; an impossible set is shown as its names.
fn column<'a>(roles: impl Iterator<Item = &'a Role>) -> String {
    let roles: Vec<Role> = roles.copied().collect();
    Roles::held(roles.iter().copied()).map_or_else(
        |_| {
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(",")
        },
        |held| held.to_column(),
    )
}
