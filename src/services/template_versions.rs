//! The template versions as the ledger holds them: a template's history, and the approved
//! version a batch is pinned to, parsed once. Below both the template service (`templates`,
//! which imports and approves) and the projections that need a batch's template, so that
//! neither reads the other.

use crate::db::DbConn;
use crate::domain::template::lifecycle::{self, TemplateHistory};
use crate::domain::template::Template;
use crate::domain::DomainError;
use crate::error::ServiceError;
use crate::ledger::{self, Stream};

pub(crate) fn stream(code: &str) -> Result<Stream, ServiceError> {
    Stream::named("template/", code).map_err(|_| unknown(code))
}

pub(crate) fn unknown(code: &str) -> ServiceError {
    DomainError::not_found("template_not_found", format!("there is no template {code}")).into()
}

/// A template's versions and their approvals, as its stream says.
pub fn history(conn: &mut DbConn, code: &str) -> Result<TemplateHistory, ServiceError> {
    let events = ledger::stream_events(conn, &stream(code)?)?;
    Ok(TemplateHistory::fold(&events))
}

/// The approved version a batch is pinned to.
pub fn pinned_version(
    conn: &mut DbConn,
    code: &str,
    version: u32,
) -> Result<Template, ServiceError> {
    let history = history(conn, code)?;
    let found = history.version(version).ok_or_else(|| unknown(code))?;
    pinned(&found.imported)
}

/// The template an imported source holds. Every batch write reads its batch's template twice
/// (to decide, and to project), inside the ledger's lock; parsing it again each time (JSON,
/// Unicode normalization of every text, validation) was most of that write's own CPU. A source
/// never changes once recorded, so parsed templates are kept by the SHA-256 of their source:
/// the same bytes always parse to the same template, whichever database they came from.
pub(crate) fn pinned(imported: &lifecycle::Imported) -> Result<Template, ServiceError> {
    use sha2::{Digest, Sha256};
    use std::collections::HashMap;
    use std::sync::{Mutex, PoisonError};
    /// Sources are few (one per template version); the bound only guards against surprises.
    const KEPT: usize = 64;
    static PARSED: Mutex<Option<HashMap<[u8; 32], Template>>> = Mutex::new(None);

    let key: [u8; 32] = Sha256::digest(imported.source.as_bytes()).into();
    let cached = |parsed: &mut Option<HashMap<_, Template>>| {
        parsed.get_or_insert_with(HashMap::new).get(&key).cloned()
    };
    if let Some(template) = cached(&mut PARSED.lock().unwrap_or_else(PoisonError::into_inner)) {
        return Ok(template);
    }
    let template = Template::parse(imported.source.as_bytes())?;
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    let parsed = parsed.get_or_insert_with(HashMap::new);
    if parsed.len() >= KEPT {
        parsed.clear();
    }
    parsed.insert(key, template.clone());
    Ok(template)
}
