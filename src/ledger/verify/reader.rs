//! The background reader: every entry up to the head in `seq` order, from one query read as a
//! stream, cut into pages; with each page, the stored Merkle subtrees its entries complete. It
//! runs ahead of the checks by at most a bounded number of pages, so memory stays flat however
//! long the ledger is.
//!
//! PostgreSQL: a cursor over the one query, fetched a page at a time (libpq would otherwise
//! hold the whole result in memory); the subtrees are read between fetches, in the same
//! transaction. SQLite: the query's rows are stepped through as SQLite yields them, and the
//! subtrees are read on a second connection to the same file, since the stream holds the first.
//! An SQLite database with no file (in memory) is read a page per query, as before.

use std::collections::HashMap;
use std::sync::mpsc::SyncSender;

use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::super::entry::Entry;
use super::super::LedgerError;
use super::tree_check::StoredNodes;
use crate::db::schema::ledger_entries::dsl as le;
use crate::db::schema::merkle_nodes::dsl as mn;
use crate::db::{DbConn, DbError};

/// Entries per page. The checks compare stored subtrees once per page, so a page is also the
/// unit that decides which of two failures in different places is reported first: it stays
/// the size it always was.
pub(super) const PAGE: usize = 2_000;

/// Pages read ahead of the checks.
pub(super) const PAGES_AHEAD: usize = 4;

pub(super) struct Page {
    pub(super) entries: Vec<Entry>,
    pub(super) nodes: StoredNodes,
}

type Pages = SyncSender<Result<Page, LedgerError>>;

/// Whether the checks still listen (they stop at the first failure).
#[derive(PartialEq, Eq)]
enum Listening {
    Yes,
    No,
}

/// Sends every page of entries up to `last_seq`, then returns; also returns as soon as the
/// checks stop listening (they found a failure) or after sending a read error.
pub(super) fn read(conn: &mut DbConn, last_seq: i64, pages: Pages) {
    let read = match conn {
        DbConn::Postgresql(_) => read_through_cursor(conn, last_seq, &pages),
        DbConn::Sqlite(_) => match second_connection(conn) {
            Ok(Some(mut nodes_conn)) => read_streamed(conn, &mut nodes_conn, last_seq, &pages),
            Ok(None) => read_paged(conn, last_seq, &pages),
            Err(e) => Err(e),
        },
    };
    if let Err(e) = read {
        // Nobody to tell if the checks stopped listening already.
        let _ = pages.send(Err(e));
    }
}

/// The columns of [`Entry`], in its order.
const COLUMNS: &str = "seq, v, stream, stream_seq, kind, actor, recorded_at, payload_sha256, \
                       prev_hash, stream_prev_hash, hash, entry_bytes, payload_bytes";
const CURSOR: &str = "cartrec_verify_entries";

fn read_through_cursor(
    conn: &mut DbConn,
    last_seq: i64,
    pages: &Pages,
) -> Result<Listening, LedgerError> {
    conn.transaction(|conn| {
        // `last_seq` is a number read from the database: written into the text, not bound,
        // as DECLARE takes no parameters.
        diesel::sql_query(format!(
            "DECLARE {CURSOR} NO SCROLL CURSOR FOR SELECT {COLUMNS} FROM ledger_entries \
             WHERE seq <= {last_seq} ORDER BY seq"
        ))
        .execute(conn)?;
        let fetch = format!("FETCH FORWARD {PAGE} FROM {CURSOR}");
        let mut listening = Listening::Yes;
        while listening == Listening::Yes {
            let entries: Vec<Entry> = diesel::sql_query(&fetch).load(conn)?;
            if entries.is_empty() {
                break;
            }
            listening = send_page(conn, entries, pages)?;
        }
        diesel::sql_query(format!("CLOSE {CURSOR}")).execute(conn)?;
        Ok(listening)
    })
}

fn read_streamed(
    conn: &mut DbConn,
    nodes_conn: &mut DbConn,
    last_seq: i64,
    pages: &Pages,
) -> Result<Listening, LedgerError> {
    let rows = le::ledger_entries
        .filter(le::seq.le(last_seq))
        .order(le::seq.asc())
        .select(Entry::as_select())
        .load_iter::<Entry, DefaultLoadingMode>(conn)?;
    let mut entries = Vec::with_capacity(PAGE);
    for row in rows {
        entries.push(row?);
        if entries.len() == PAGE {
            let page = std::mem::replace(&mut entries, Vec::with_capacity(PAGE));
            if send_page(nodes_conn, page, pages)? == Listening::No {
                return Ok(Listening::No);
            }
        }
    }
    if entries.is_empty() {
        return Ok(Listening::Yes);
    }
    send_page(nodes_conn, entries, pages)
}

/// One query per page (keyset paging), for a database with no file to open twice.
fn read_paged(conn: &mut DbConn, last_seq: i64, pages: &Pages) -> Result<Listening, LedgerError> {
    let mut cursor = 0;
    loop {
        let entries: Vec<Entry> = le::ledger_entries
            .filter(le::seq.ge(cursor).and(le::seq.le(last_seq)))
            .order(le::seq.asc())
            .limit(PAGE as i64)
            .select(Entry::as_select())
            .load(conn)?;
        let Some(last) = entries.last() else {
            return Ok(Listening::Yes);
        };
        let next = last.seq.checked_add(1);
        if send_page(conn, entries, pages)? == Listening::No {
            return Ok(Listening::No);
        }
        match next {
            Some(next) => cursor = next,
            None => return Ok(Listening::Yes),
        }
    }
}

fn send_page(
    nodes_conn: &mut DbConn,
    entries: Vec<Entry>,
    pages: &Pages,
) -> Result<Listening, LedgerError> {
    let nodes = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => completed_nodes(nodes_conn, first.seq, last.seq)?,
        _ => StoredNodes::new(),
    };
    Ok(match pages.send(Ok(Page { entries, nodes })) {
        Ok(()) => Listening::Yes,
        Err(_) => Listening::No,
    })
}

#[derive(QueryableByName)]
struct AttachedDatabase {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    file: String,
}

/// A second connection to the SQLite file `conn` has open, or none for a database in memory.
fn second_connection(conn: &mut DbConn) -> Result<Option<DbConn>, LedgerError> {
    let databases: Vec<AttachedDatabase> = diesel::sql_query("PRAGMA database_list").load(conn)?;
    let Some(file) = databases
        .into_iter()
        .find(|database| database.name == "main")
        .map(|database| database.file)
        .filter(|file| !file.is_empty())
    else {
        return Ok(None);
    };
    let mut second = diesel::SqliteConnection::establish(&file).map_err(DbError::from)?;
    // As the pool's connections wait for a lock rather than fail.
    second.batch_execute("PRAGMA busy_timeout = 30000")?;
    Ok(Some(DbConn::Sqlite(second)))
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
