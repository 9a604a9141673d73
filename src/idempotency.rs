//! Retries with an `Idempotency-Key`: the first request with a key claims it (a row without
//! an answer), its answer is kept, and a retry with the same key and the same request gets
//! that answer again and appends nothing. The claim is an insert into a table whose primary
//! key is (user, key), so two copies of one request racing each other cannot both run.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys as keys;
use crate::db::DbConn;

/// A kept answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = keys)]
pub struct Kept {
    pub fingerprint: String,
    pub status: Option<i32>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub body: Option<Vec<u8>>,
}

pub enum Claim {
    /// This request is the first with the key: run it.
    New,
    /// A request with this key was seen before.
    Seen(Kept),
}

/// How long an answer is kept for retries. Answers repeat what the record says (a batch's
/// patient code among it), so they are not kept longer than a client's retries need.
pub const RETENTION_HOURS: i64 = 24;

/// Claims `key` for this request, or returns what the earlier request with it left. Answers
/// older than the retention are forgotten first.
pub fn claim(
    conn: &mut DbConn,
    username: &str,
    key: &str,
    fingerprint: &str,
    now: NaiveDateTime,
) -> QueryResult<Claim> {
    diesel::delete(
        keys::table.filter(keys::created_at.lt(now - chrono::Duration::hours(RETENTION_HOURS))),
    )
    .execute(conn)?;
    let inserted = diesel::insert_into(keys::table)
        .values((
            keys::username.eq(username),
            keys::key.eq(key),
            keys::fingerprint.eq(fingerprint),
            keys::created_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(Claim::New),
        // An earlier request (or a copy of this one, racing it) holds the key.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => find(conn, username, key)?
            .map(Claim::Seen)
            .ok_or(diesel::result::Error::NotFound),
        Err(e) => Err(e),
    }
}

fn find(conn: &mut DbConn, username: &str, key: &str) -> QueryResult<Option<Kept>> {
    keys::table
        .find((username, key))
        .select(Kept::as_select())
        .first(conn)
        .optional()
}

/// Keeps the answer of the request that claimed the key.
pub fn keep(
    conn: &mut DbConn,
    username: &str,
    key: &str,
    status: u16,
    content_type: Option<&str>,
    etag: Option<&str>,
    body: &[u8],
) -> QueryResult<()> {
    diesel::update(keys::table.find((username, key)))
        .set((
            keys::status.eq(Some(i32::from(status))),
            keys::content_type.eq(content_type),
            keys::etag.eq(etag),
            keys::body.eq(Some(body)),
        ))
        .execute(conn)
        .map(drop)
}

/// Releases the key of a request that failed on the server's side (nothing was recorded), so
/// that a retry runs it again.
pub fn release(conn: &mut DbConn, username: &str, key: &str) -> QueryResult<()> {
    diesel::delete(keys::table.find((username, key)))
        .execute(conn)
        .map(drop)
}
