//! Projections: the tables that serve reads and authentication, written in the same
//! transaction as the events they reflect. They are never the truth; `check` proves they
//! still equal what the ledger says, and names every row that does not.

use crate::db::DbConn;
use crate::error::AppError;

/// Every disagreement between a projection and the ledger, one sentence each; empty when all
/// agree. Run after the ledger itself has verified: it trusts the ledger's bytes.
pub fn check(conn: &mut DbConn) -> Result<Vec<String>, AppError> {
    let mut found = crate::accounts::audit::mismatches(conn)?;
    found.extend(crate::signatures::audit::mismatches(conn)?);
    Ok(found)
}
