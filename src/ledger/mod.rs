//! The ledger: the one place where events are hashed, chained and written.
//!
//! Every write in cartrec goes through [`write`]: it serializes appends in the database, runs the
//! caller's domain check in the same transaction, and appends the events the check returns.

mod append;
pub mod audit;
pub mod bundle;
mod canonical;
pub mod checkpoints;
mod entry;
pub mod group;
pub mod heads;
mod lock;
pub mod merkle;
mod read;
pub mod row_seal;
pub mod tiles;
mod tree;
mod trust;
mod verify;

pub use append::{newest_of_kind, under_lock, write, Appender, StreamTip};
pub use audit::{audit, Audit, Evidence};
pub use canonical::{canonical_bytes, leaf_hash, payload_sha256, Hash, ZERO_HASH};
pub use entry::{
    format_recorded_at, Actor, Entry, EntryHeader, EventKind, NewEvent, Payload, Position, Stream,
    ENTRY_VERSION,
};
pub use group::GroupCommit;
pub use heads::{Sealer, SignedHead};
pub use read::{
    audit_page, decode, entries_of_kind, entry_at, page, payload_digests, stream_entries,
    stream_entries_after, stream_entries_from, stream_events, stream_reads_on_this_thread,
    streams_with_prefix, AuditFilter, StreamReads,
};
pub use row_seal::RowSeals;
pub use tree::{
    catch_up as catch_up_tree, consistency_proof, inclusion_proof, ledger_size as size, root,
    ConsistencyProof, InclusionProof,
};
pub use trust::{Distrust, Trust};
pub use verify::{verify, verify_with, VerifyFailure, VerifyReport};

use crate::db::DbError;
use merkle::MerkleError;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("invalid stream name `{0}`")]
    InvalidStream(String),
    #[error("invalid event kind `{0}`")]
    InvalidKind(String),
    #[error("an event payload must be a JSON object")]
    PayloadNotObject,
    #[error("cannot canonicalize: {0}")]
    Canonical(#[from] serde_json::Error),
    /// The stream moved on since the caller read it (another request acted first).
    #[error("{stream} has {actual} events, not the {expected} this decision was made on")]
    Stale {
        stream: String,
        expected: i64,
        actual: i64,
    },
    /// A proof asked of a tree the ledger has not reached.
    #[error("the ledger holds {entries} entries, fewer than the {size} asked for")]
    BeyondLedger { size: u64, entries: u64 },
    /// A proof asked for something no tree holds (an index past the size, from > to, ...).
    #[error(transparent)]
    Proof(#[from] MerkleError),
    /// A subtree a root or proof needs is not stored (entries inserted around the appender
    /// get theirs at the next append or start).
    #[error("Merkle node (level {level}, index {index}) is not stored yet")]
    TreeIncomplete { level: u8, index: u64 },
    /// Signing would vouch for a ledger that is not a consistent extension of a checkpoint
    /// already signed (a truncated tail, a rolled-back database, a rewritten history).
    #[error("{0}")]
    CheckpointInconsistent(String),
    /// A checkpoint that cannot be read or does not verify.
    #[error("invalid checkpoint: {0}")]
    InvalidCheckpoint(String),
    /// The directory outside the database that keeps a copy of each checkpoint.
    #[error("checkpoint directory {path}: {reason}")]
    CheckpointDir {
        path: std::path::PathBuf,
        reason: String,
    },
    /// The commit of a group of writes failed: none of them was recorded.
    #[error("the group commit failed, nothing of it was recorded: {0}")]
    GroupCommitFailed(String),
    /// The ledger is not what cartrec wrote (see `trust`): this instance refuses every write.
    #[error("the ledger did not verify at seq {seq}: {reason}")]
    Unverified { seq: i64, reason: String },
    /// The ledger verifies again, but the incident is not recorded and confirmed yet: this
    /// instance appends only sign-ins and the incident record.
    #[error("the ledger incident (seq {seq}: {reason}) is not recorded and confirmed yet")]
    IncidentOpen { seq: i64, reason: String },
    /// The append lock row does not name the ledger's last entry.
    #[error("{0}")]
    HeadMismatch(String),
    /// A stored Merkle node is in the place of one the appender must store.
    #[error("Merkle node (level {level}, index {index}) is already stored with another hash")]
    NodeConflict { level: u8, index: u64 },
    #[error("stored entry {seq} is corrupt: {reason}")]
    Corrupt { seq: i64, reason: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for LedgerError {
    fn from(e: diesel::result::Error) -> Self {
        LedgerError::Db(DbError::Query(e))
    }
}
