//! The account approval flow: the owner certifies that their electronic signature binds them,
//! and someone other than the person who asked for the roles confirms the owner's identity and
//! approves them. The rules are in `domain::account::state`; this runs them in one transaction
//! with the events, the signature and the `users` row. It stands apart from `accounts`
//! because it signs: `signatures` reads accounts, and accounts never read signatures.

use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::account::events::UserEvent;
use crate::domain::account::state::{decide_acknowledgment, decide_approval, Approver};
use crate::domain::{FullName, Roles, Username};
use crate::error::ServiceError;
use crate::ledger::{self, Actor, Entry, LedgerError};
use crate::services::accounts::{find_account, folded, record, store, Account, Principal};
use crate::services::signatures::{self, VerifiedSigner};

/// Who approves: a signed-in user with their signature (meaning `approved`), or a person at
/// the server's console, named.
pub enum ApprovedBy {
    Signature {
        approver: Principal,
        signer: VerifiedSigner,
    },
    Console {
        confirmed_by: FullName,
    },
}

/// The caller certifies, signed with meaning `acknowledged`, that their electronic signature is
/// the legally binding equivalent of their handwritten one.
pub fn acknowledge(
    conn: &mut DbConn,
    who: &Principal,
    signer: VerifiedSigner,
) -> Result<Account, ServiceError> {
    ledger::write(conn, |tx| {
        let account = folded(tx.conn(), &who.username)?;
        let event = decide_acknowledgment(&account)?;
        let entry = record(
            tx,
            &who.actor(),
            &who.username,
            UserEvent::Acknowledged(event),
        )?;
        store::set_acknowledged(tx.conn(), who.username.as_str(), recorded_at(&entry)?)?;
        signatures::apply(tx, signer, &[entry])?;
        find_account(tx.conn(), &who.username)
    })
}

/// Makes the account's pending roles effective.
pub fn approve(
    conn: &mut DbConn,
    username: &Username,
    by: ApprovedBy,
) -> Result<Account, ServiceError> {
    ledger::write(conn, |tx| {
        let account = folded(tx.conn(), username)?;
        let (approver, actor) = match &by {
            ApprovedBy::Signature { approver, .. } => (
                Approver::Person {
                    username: approver.username.as_str(),
                    roles: &approver.roles,
                },
                approver.actor(),
            ),
            ApprovedBy::Console { confirmed_by } => (
                Approver::Console {
                    confirmed_by: confirmed_by.as_str().to_owned(),
                },
                Actor::system(),
            ),
        };
        let event = decide_approval(&account, &approver)?;
        let roles = Roles::held(event.roles.iter().copied())?;
        let entry = record(tx, &actor, username, UserEvent::RolesApproved(event))?;
        store::set_roles(
            tx.conn(),
            username.as_str(),
            &roles,
            &Roles::none(),
            recorded_at(&entry)?,
        )?;
        if let ApprovedBy::Signature { signer, .. } = by {
            signatures::apply(tx, signer, &[entry])?;
        }
        find_account(tx.conn(), username)
    })
}

/// The server time an entry states, as the tables store time.
fn recorded_at(entry: &Entry) -> Result<NaiveDateTime, LedgerError> {
    NaiveDateTime::parse_from_str(&entry.recorded_at, "%Y-%m-%dT%H:%M:%S%.fZ").map_err(|e| {
        LedgerError::Corrupt {
            seq: entry.seq,
            reason: format!("recorded_at does not parse: {e}"),
        }
    })
}
