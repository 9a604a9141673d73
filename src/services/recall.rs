//! Recall: where a material lot was used. Read from the `lot_usage` projection (kept with the
//! batch rows from each batch's stream), so the answer is what the ledger says the batches'
//! steps recorded, and the state is the batch's as the batch list shows it.

use crate::db::DbConn;
use crate::error::ServiceError;
use crate::services::projections::batches::{self as batch_rows, BatchRow, LotUsageRow};
use crate::services::projections::materials::{self as lot_rows, LotRow};

/// A lot and every batch that used it, by batch number.
#[derive(Debug)]
pub struct WhereUsed {
    pub lot: LotRow,
    pub batches: Vec<BatchUses>,
}

/// One batch that used the lot, and each field of its steps that names it, in ledger order.
#[derive(Debug)]
pub struct BatchUses {
    pub batch: BatchRow,
    pub uses: Vec<LotUsageRow>,
}

/// Every batch whose steps named the lot; `lot_not_found` for a lot never registered.
pub fn where_used(conn: &mut DbConn, lot_id: &str) -> Result<WhereUsed, ServiceError> {
    let lot = lot_rows::find_lot(conn, lot_id)?
        .ok_or_else(|| crate::services::materials::unknown_lot(lot_id))?;
    let mut batches: Vec<BatchUses> = Vec::new();
    for (used, batch) in batch_rows::uses_of_lot(conn, lot_id)? {
        match batches.last_mut() {
            Some(last) if last.batch.batch_number == batch.batch_number => last.uses.push(used),
            _ => batches.push(BatchUses {
                batch,
                uses: vec![used],
            }),
        }
    }
    Ok(WhereUsed { lot, batches })
}
