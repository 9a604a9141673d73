//! The batch export bundle: the batch's record and every record it names, with the proofs an
//! inspector checks offline (`cartrec verify-bundle`). The format is in `ledger::bundle`.
//!
//! A bundle is a pure function of the ledger and one checkpoint, so asking again for the same
//! checkpoint gives the same bytes: the printable record prints their SHA-256, and anyone can
//! fetch the bundle for that checkpoint later and compare.

use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::domain::batch::references::referenced_streams;
use crate::domain::batch::{Batch, BatchEvent};
use crate::domain::DomainError;
use crate::error::ServiceError;
use crate::ledger::bundle::{self, Bundle, ABOUT, FORMAT};
use crate::ledger::checkpoints::{self, Signed};
use crate::ledger::{self, Entry, Hash, Stream};
use crate::services::checkpointing::Checkpointing;

pub struct Export {
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of `bytes`.
    pub sha256: String,
    pub checkpoint: Signed,
    pub file_name: String,
}

/// The bundle of `batch_number` against the checkpoint of `size` entries, or, without a size,
/// against the newest checkpoint (signing one first if none covers the batch's latest entry).
pub fn build(
    conn: &mut DbConn,
    checkpointing: &Checkpointing,
    batch_number: &str,
    size: Option<u64>,
) -> Result<Export, ServiceError> {
    let stream = super::stream(batch_number)?;
    let events = ledger::stream_events::<BatchEvent>(conn, &stream)?;
    let batch = Batch::fold(&events)?.ok_or_else(|| super::unknown(batch_number))?;
    let referenced = referenced_streams(&batch);
    let mut streams = Vec::with_capacity(referenced.len());
    for named in &referenced {
        let entries = ledger::stream_entries(conn, &Stream::parse(&named.stream)?)?;
        streams.push((named, entries));
    }
    let newest = streams
        .iter()
        .flat_map(|(_, entries)| entries.last())
        .map(|e| e.seq)
        .max()
        .unwrap_or_default();
    let checkpoint = choose_checkpoint(conn, checkpointing, size, newest)?;
    let first_seq = events.first().map_or(0, |e| e.seq);
    if checkpoint.size <= u64::try_from(first_seq).unwrap_or(u64::MAX) {
        return Err(DomainError::new(
            "checkpoint_precedes_batch",
            format!(
                "the checkpoint of {} entries was signed before batch {batch_number} was created",
                checkpoint.size
            ),
        )
        .into());
    }
    let (mut bundled, mut heads) = (Vec::new(), Vec::new());
    for (named, entries) in streams {
        let with_proofs = with_proofs(conn, entries, checkpoint.size)?;
        let (stream, head) = bundle::bundle_stream(named.role, &named.stream, &with_proofs)?;
        bundled.push(stream);
        heads.push(head);
    }
    let text = bundle::statement_text(batch_number, checkpoint.size, &checkpoint.root, &heads);
    let document = Bundle {
        format: FORMAT.to_owned(),
        about: ABOUT.to_owned(),
        batch_number: batch_number.to_owned(),
        checkpoint: checkpoint.note.clone(),
        vkey: checkpointing.vkey(),
        statement: bundle::sign_statement(&text, &*checkpointing.signer)?,
        streams: bundled,
    };
    let mut bytes = serde_json::to_vec_pretty(&document)
        .map_err(|e| ServiceError::from(ledger::LedgerError::Canonical(e)))?;
    bytes.push(b'\n');
    Ok(Export {
        sha256: hex::encode(Sha256::digest(&bytes)),
        file_name: format!("{batch_number}-at-{}.cartrec-bundle.json", checkpoint.size),
        checkpoint,
        bytes,
    })
}

/// The stored checkpoint of the size asked for; else the newest, if it covers `newest_seq`;
/// else a new one.
fn choose_checkpoint(
    conn: &mut DbConn,
    checkpointing: &Checkpointing,
    size: Option<u64>,
    newest_seq: i64,
) -> Result<Signed, ServiceError> {
    if let Some(size) = size {
        return checkpoints::of_size(conn, size)?.ok_or_else(|| {
            DomainError::not_found(
                "checkpoint_not_found",
                format!("no checkpoint of {size} entries was signed"),
            )
            .into()
        });
    }
    let covers = |c: &Signed| i64::try_from(c.size).unwrap_or(i64::MAX) > newest_seq;
    match checkpoints::latest(conn)? {
        Some(latest) if covers(&latest) => Ok(latest),
        _ => checkpointing.sign_now(conn),
    }
}

/// The entries inside the checkpoint's tree, each with its inclusion proof there.
fn with_proofs(
    conn: &mut DbConn,
    entries: Vec<Entry>,
    size: u64,
) -> Result<Vec<(Entry, Vec<Hash>)>, ServiceError> {
    let mut proved = Vec::with_capacity(entries.len());
    for entry in entries {
        let seq = u64::try_from(entry.seq).unwrap_or(u64::MAX);
        if seq >= size {
            break;
        }
        let proof = ledger::inclusion_proof(conn, seq, size)?;
        proved.push((entry, proof.proof));
    }
    Ok(proved)
}
