//! Reading entries back: one entry, or a page in `seq` order.

use diesel::prelude::*;

use super::entry::Entry;
use super::LedgerError;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::DbConn;

pub fn entry_at(conn: &mut DbConn, seq: i64) -> Result<Option<Entry>, LedgerError> {
    Ok(le::ledger_entries
        .find(seq)
        .select(Entry::as_select())
        .first(conn)
        .optional()?)
}

/// Up to `limit` entries from `from` on, and the `from` of the next page if there is one.
pub fn page(
    conn: &mut DbConn,
    from: i64,
    limit: i64,
) -> Result<(Vec<Entry>, Option<i64>), LedgerError> {
    let mut entries: Vec<Entry> = le::ledger_entries
        .filter(le::seq.ge(from))
        .order(le::seq.asc())
        .limit(limit.saturating_add(1))
        .select(Entry::as_select())
        .load(conn)?;
    let has_more = entries.len() as i64 > limit;
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    let next = if has_more {
        entries.last().map(|e| e.seq + 1)
    } else {
        None
    };
    Ok((entries, next))
}
