//! An event as the ledger recorded it: the typed event plus where, when and by whom. Rules
//! about people ("the creator of an account may not approve it") are decided from these.

/// One decoded ledger entry of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded<E> {
    pub seq: i64,
    pub stream_seq: i64,
    /// Lowercase hex of the entry's hash.
    pub hash: String,
    /// The user name that caused it, or `system`.
    pub actor: String,
    /// Server time, RFC 3339 with 6 fractional digits and `Z`.
    pub recorded_at: String,
    pub event: E,
}
