//! What a record's signatures say now: who signed, when, with what meaning, over which
//! content, and whether that content is still the current one or has since been corrected.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::signatures;
use crate::db::DbConn;
use crate::domain::signature::SignatureApplied;
use crate::error::ServiceError;
use crate::ledger::{entry_at, stream_entries_after, Entry, Payload};

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    pub signature_seq: i64,
    pub signer: String,
    pub signer_full_name: String,
    pub meaning: String,
    pub comment: Option<String>,
    /// Server time of the signature.
    pub signed_at: String,
    /// The hash of the content the signature is bound to.
    pub signed_hash: String,
    /// False once a later entry corrects the signed one: the signature stays bound to the
    /// old content and does not carry over to the correction.
    pub content_is_current: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignaturesOfEntry {
    pub seq: i64,
    pub hash: String,
    pub kind: String,
    pub stream: String,
    /// Entries that correct this one (events whose payload names it in `corrects.seq`).
    pub corrected_by: Vec<i64>,
    pub signatures: Vec<SignatureView>,
}

pub fn signatures_of(
    conn: &mut DbConn,
    seq: i64,
) -> Result<Option<SignaturesOfEntry>, ServiceError> {
    let Some(entry) = entry_at(conn, seq)? else {
        return Ok(None);
    };
    let corrected_by = corrections_of(conn, &entry)?;
    let signature_seqs: Vec<i64> = signatures::table
        .filter(signatures::entry_seq.eq(seq))
        .order(signatures::signature_seq)
        .select(signatures::signature_seq)
        .load(conn)?;
    let mut views = Vec::with_capacity(signature_seqs.len());
    for signature_seq in signature_seqs {
        let Some(signature) = entry_at(conn, signature_seq)? else {
            continue;
        };
        let applied: SignatureApplied =
            serde_json::from_slice(&signature.payload_bytes).map_err(|e| {
                crate::ledger::LedgerError::Corrupt {
                    seq: signature_seq,
                    reason: format!("{} does not decode: {e}", SignatureApplied::KIND),
                }
            })?;
        views.push(SignatureView {
            signature_seq,
            signer: applied.signer,
            signer_full_name: applied.signer_full_name,
            meaning: applied.meaning.as_str().to_owned(),
            comment: applied.comment,
            signed_at: signature.recorded_at.clone(),
            signed_hash: hex::encode(&entry.hash),
            content_is_current: corrected_by.is_empty(),
        });
    }
    Ok(Some(SignaturesOfEntry {
        seq,
        hash: hex::encode(&entry.hash),
        kind: entry.kind,
        stream: entry.stream,
        corrected_by,
        signatures: views,
    }))
}

/// Corrections are later events of the same stream whose kind ends in `corrected`
/// (`batch.value_corrected`) and whose payload carries `corrects: {seq, hash}`.
fn corrections_of(conn: &mut DbConn, entry: &Entry) -> Result<Vec<i64>, ServiceError> {
    let later = stream_entries_after(conn, &entry.stream, entry.seq)?;
    let mut seqs = Vec::new();
    for candidate in later.iter().filter(|e| e.kind.ends_with("corrected")) {
        let payload = candidate.payload()?;
        if payload["corrects"]["seq"].as_i64() == Some(entry.seq) {
            seqs.push(candidate.seq);
        }
    }
    Ok(seqs)
}
