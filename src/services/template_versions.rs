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

/// The approved version a batch is pinned to. Every batch write and view needs it; reading and
/// folding the template's stream each time (its source is 15 KB, de-TOASTed on PostgreSQL)
/// cost more than the write itself. So parsed versions are kept by the payload digest of the
/// entry that imported them, and a lookup reads only the digests of the stream's imports (no
/// payload): the ledger still says which version this is, and an entry never changes.
pub fn pinned_version(
    conn: &mut DbConn,
    code: &str,
    version: u32,
) -> Result<Template, ServiceError> {
    let stream = stream(code)?;
    let digests = ledger::payload_digests(conn, &stream, IMPORTED)?;
    if let Some(template) = parsed_imports::find(&digests, version) {
        return Ok(template);
    }
    for entry in ledger::stream_entries(conn, &stream)? {
        if entry.kind != IMPORTED {
            continue;
        }
        let recorded = ledger::decode::<lifecycle::TemplateEvent>(&entry)?;
        if let lifecycle::TemplateEvent::Imported(imported) = &recorded.event {
            if imported.version == version {
                let template = pinned(imported)?;
                parsed_imports::keep(&entry.payload_sha256, &template);
                return Ok(template);
            }
        }
    }
    Err(unknown(code))
}

const IMPORTED: &str = "template.imported";

/// Parsed template versions by the payload digest of the entry that imported them.
mod parsed_imports {
    use std::num::NonZeroUsize;
    use std::sync::{Mutex, PoisonError};

    use lru::LruCache;

    use crate::domain::template::Template;

    /// Versions are few (a handful per template); the bound only guards against surprises.
    const KEPT: NonZeroUsize = NonZeroUsize::new(64).expect("non-zero");
    static PARSED: Mutex<Option<LruCache<String, Template>>> = Mutex::new(None);

    pub(super) fn find(digests: &[String], version: u32) -> Option<Template> {
        let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
        let parsed = parsed.get_or_insert_with(|| LruCache::new(KEPT));
        digests
            .iter()
            .find_map(|digest| parsed.get(digest).filter(|t| t.version == version).cloned())
    }

    pub(super) fn keep(digest: &str, template: &Template) {
        let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
        let parsed = parsed.get_or_insert_with(|| LruCache::new(KEPT));
        parsed.put(digest.to_owned(), template.clone());
    }
}

/// The template an imported source holds. Parsing it (JSON, Unicode normalization of every
/// text, validation) was most of a batch write's own CPU. A source
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
