//! The background reader: pages of entries in `seq` order (keyset paging, one query per page)
//! and, with each page, the stored Merkle subtrees its entries complete. It runs ahead of the
//! checks by at most a bounded number of pages, so memory stays flat however long the ledger is.

use std::collections::HashMap;
use std::sync::mpsc::SyncSender;

use diesel::prelude::*;

use super::super::entry::Entry;
use super::super::LedgerError;
use super::tree_check::StoredNodes;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::schema::merkle_nodes::dsl as mn;
use crate::db::DbConn;

/// Entries per page. The checks compare stored subtrees once per page, so a page is also the
/// unit that decides which of two failures in different places is reported first: it stays
/// the size it always was.
pub(super) const PAGE: i64 = 2_000;

/// Pages read ahead of the checks.
pub(super) const PAGES_AHEAD: usize = 4;

pub(super) struct Page {
    pub(super) entries: Vec<Entry>,
    pub(super) nodes: StoredNodes,
}

/// Sends every page of entries up to `last_seq`, then returns; also returns as soon as the
/// checks stop listening (they found a failure) or after sending a read error.
pub(super) fn read(conn: &mut DbConn, last_seq: i64, pages: SyncSender<Result<Page, LedgerError>>) {
    let mut cursor = 0;
    loop {
        let page = read_page(conn, cursor, last_seq);
        let next = match &page {
            Ok(page) => match page.entries.last() {
                Some(last) => last.seq.checked_add(1),
                None => return,
            },
            Err(_) => None,
        };
        if pages.send(page).is_err() {
            return;
        }
        match next {
            Some(next) => cursor = next,
            None => return,
        }
    }
}

fn read_page(conn: &mut DbConn, cursor: i64, last_seq: i64) -> Result<Page, LedgerError> {
    let entries: Vec<Entry> = le::ledger_entries
        .filter(le::seq.ge(cursor).and(le::seq.le(last_seq)))
        .order(le::seq.asc())
        .limit(PAGE)
        .select(Entry::as_select())
        .load(conn)?;
    let nodes = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => completed_nodes(conn, first.seq, last.seq)?,
        _ => StoredNodes::new(),
    };
    Ok(Page { entries, nodes })
}

/// The stored subtrees completed by leaves `first..=last`, in one query: at level L, the
/// subtrees whose last leaf is in the range have indexes `first >> L .. (last + 1) >> L`.
/// (If the page is not gapless the chain check fails before these are compared.)
fn completed_nodes(conn: &mut DbConn, first: i64, last: i64) -> Result<StoredNodes, LedgerError> {
    let (Ok(start), Ok(end)) = (u64::try_from(first), u64::try_from(last.saturating_add(1))) else {
        return Ok(StoredNodes::new());
    };
    let mut query = mn::merkle_nodes
        .select((mn::level, mn::idx, mn::hash))
        .into_boxed();
    let mut any = false;
    for level in 1..64u32 {
        let (low, high) = (start >> level, end >> level);
        if low == high {
            // Every higher level is empty too.
            break;
        }
        let (Ok(low), Ok(high)) = (i64::try_from(low), i64::try_from(high)) else {
            break;
        };
        query = query.or_filter(
            mn::level
                .eq(level as i32)
                .and(mn::idx.ge(low))
                .and(mn::idx.lt(high)),
        );
        any = true;
    }
    let mut stored: StoredNodes = HashMap::new();
    if !any {
        return Ok(stored);
    }
    let rows: Vec<(i32, i64, Vec<u8>)> = query.load(conn)?;
    for (level, index, hash) in rows {
        let (Ok(level), Ok(index)) = (u8::try_from(level), u64::try_from(index)) else {
            continue;
        };
        stored.entry(level).or_default().insert(index, hash);
    }
    Ok(stored)
}
