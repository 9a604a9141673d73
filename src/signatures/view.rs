//! What a record's signatures say now: who signed, when, with what meaning, over which
//! content, and whether that content is still the current one or has since been corrected.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::ledger_entries::dsl as le;
use crate::db::schema::signatures;
use crate::db::DbConn;
use crate::error::AppError;
use crate::ledger::{entry_at, Entry};

#[derive(Serialize)]
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

#[derive(Serialize)]
pub struct SignaturesOfEntry {
    pub seq: i64,
    pub hash: String,
    pub kind: String,
    pub stream: String,
    /// Entries that correct this one (events whose payload names it in `corrects.seq`).
    pub corrected_by: Vec<i64>,
    pub signatures: Vec<SignatureView>,
}

pub fn signatures_of(conn: &mut DbConn, seq: i64) -> Result<Option<SignaturesOfEntry>, AppError> {
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
        let payload = signature.payload()?;
        let text = |field: &str| payload[field].as_str().unwrap_or_default().to_owned();
        views.push(SignatureView {
            signature_seq,
            signer: text("signer"),
            signer_full_name: text("signer_full_name"),
            meaning: text("meaning"),
            comment: payload["comment"].as_str().map(str::to_owned),
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
fn corrections_of(conn: &mut DbConn, entry: &Entry) -> Result<Vec<i64>, AppError> {
    let candidates: Vec<Entry> = le::ledger_entries
        .filter(le::stream.eq(&entry.stream))
        .filter(le::seq.gt(entry.seq))
        .filter(le::kind.like("%corrected"))
        .select(Entry::as_select())
        .load(conn)?;
    let mut seqs = Vec::new();
    for candidate in candidates {
        let payload = candidate.payload()?;
        if payload["corrects"]["seq"].as_i64() == Some(entry.seq) {
            seqs.push(candidate.seq);
        }
    }
    Ok(seqs)
}
