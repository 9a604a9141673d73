//! Proof that the `signatures` table (one row per signed entry, which makes a replayed
//! signature impossible under any concurrency) is exactly what the `signature.applied`
//! events of the ledger say.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::db::schema::signatures;
use crate::db::DbConn;
use crate::domain::signature::{SignatureApplied, SIGNATURE_KIND};
use crate::error::ServiceError;
use crate::ledger::{self, LedgerError};

/// (signature_seq, entry_seq) → (entry hash in hex, signer, meaning).
type Rows = BTreeMap<(i64, i64), (String, String, String)>;

/// Every disagreement between the table and the ledger, one sentence each.
pub fn mismatches(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let expected = from_ledger(conn)?;
    let mut actual = from_table(conn)?;
    let mut found = Vec::new();
    for (key, row) in &expected {
        match actual.remove(key) {
            None => found.push(format!(
                "signature at seq {} over entry {}: the signatures table has no row",
                key.0, key.1
            )),
            Some(stored) if &stored != row => found.push(format!(
                "signature at seq {} over entry {}: the signatures row disagrees with the ledger \
                 (table {stored:?}, ledger {row:?})",
                key.0, key.1
            )),
            Some(_) => {}
        }
    }
    for key in actual.keys() {
        found.push(format!(
            "signatures row (signature_seq {}, entry_seq {}) matches no signature in the ledger",
            key.0, key.1
        ));
    }
    Ok(found)
}

fn from_ledger(conn: &mut DbConn) -> Result<Rows, ServiceError> {
    let mut rows = Rows::new();
    for entry in ledger::entries_of_kind(conn, SIGNATURE_KIND)? {
        let applied: SignatureApplied =
            serde_json::from_slice(&entry.payload_bytes).map_err(|e| LedgerError::Corrupt {
                seq: entry.seq,
                reason: format!("{SIGNATURE_KIND} does not decode: {e}"),
            })?;
        for signed in applied.signed {
            rows.insert(
                (entry.seq, signed.seq),
                (
                    signed.hash,
                    applied.signer.clone(),
                    applied.meaning.as_str().to_owned(),
                ),
            );
        }
    }
    Ok(rows)
}

fn from_table(conn: &mut DbConn) -> Result<Rows, ServiceError> {
    let stored: Vec<(i64, i64, Vec<u8>, String, String)> = signatures::table
        .select((
            signatures::signature_seq,
            signatures::entry_seq,
            signatures::entry_hash,
            signatures::signer,
            signatures::meaning,
        ))
        .load(conn)?;
    Ok(stored
        .into_iter()
        .map(|(signature_seq, entry_seq, hash, signer, meaning)| {
            (
                (signature_seq, entry_seq),
                (hex::encode(hash), signer, meaning),
            )
        })
        .collect())
}
