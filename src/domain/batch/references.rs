//! Which other records a batch's record depends on: its chain of identity, its template, and
//! the lots, equipment and files its steps name. An export of the batch carries all of them,
//! so that an inspector sees what each value was recorded against.

use super::Batch;
use crate::domain::template::FieldValue;

/// The streams a batch's record names, each as `<prefix><id>`, in a fixed order: the batch,
/// its chain of identity, its template, then lots, equipment and attachments sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referenced {
    pub role: &'static str,
    pub stream: String,
}

pub fn referenced_streams(batch: &Batch) -> Vec<Referenced> {
    let created = &batch.created;
    let mut streams = vec![
        referenced("batch", "batch/", &created.batch_number),
        referenced("chain_of_identity", "coi/", &created.coi),
        referenced("template", "template/", &created.template_code),
    ];
    let values: Vec<&FieldValue> = batch
        .records
        .iter()
        .flat_map(|r| r.values.values())
        .chain(batch.corrections.iter().map(|c| &c.corrected.value))
        .collect();
    let named = |pick: fn(&FieldValue) -> Option<&str>| {
        let mut ids: Vec<&str> = values.iter().filter_map(|v| pick(v)).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    for (role, prefix, ids) in [
        ("lot", "lot/", named(FieldValue::material_lot)),
        ("equipment", "equipment/", named(FieldValue::equipment)),
        ("attachment", "attachment/", named(FieldValue::attachment)),
    ] {
        streams.extend(ids.into_iter().map(|id| referenced(role, prefix, id)));
    }
    streams
}

fn referenced(role: &'static str, prefix: &str, id: &str) -> Referenced {
    Referenced {
        role,
        stream: format!("{prefix}{id}"),
    }
}
