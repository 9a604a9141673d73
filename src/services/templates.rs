//! Process templates (master batch records): imported as drafts (from the API, the console or
//! the shipped default on a new database), approved by QA with a signature, and read by the
//! batches pinned to them. Rules in `domain::template::lifecycle`.

use sha2::{Digest, Sha256};

use crate::command::{self, Decision};
use crate::db::DbConn;
use crate::domain::template::lifecycle::{self, TemplateEvent, TemplateHistory};
use crate::domain::template::Template;
use crate::domain::{DomainError, Recorded};
use crate::error::ServiceError;
use crate::ledger::{self, Actor};
use crate::services::projections::templates::{self as rows, TemplateRow};
use crate::services::signatures::{self, VerifiedSigner};
pub use crate::services::template_versions::{history, pinned_version};
use crate::services::template_versions::{pinned, stream, unknown};

/// The default autologous CD19 CAR-T template, imported as a draft on a new database.
pub const SHIPPED_CD19: &[u8] = include_bytes!("../../templates/cd19-car-t-lentiviral.json");

/// Imports a template as a new draft version; refuses an invalid one naming the JSON path.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    source: &[u8],
) -> Result<TemplateRow, ServiceError> {
    let template = Template::parse(source)?;
    let text = std::str::from_utf8(source)
        .map_err(|_| DomainError::new("invalid_template", "a template is UTF-8 JSON text"))?;
    let digest = hex::encode(Sha256::digest(source));
    let code = template.code.clone();
    command::execute(
        conn,
        &stream(&code)?,
        actor,
        None,
        |_, events| {
            let history = TemplateHistory::fold(events);
            let event = lifecycle::decide_import(&history, &template, text, digest.clone())?;
            Ok(Decision::Accept(vec![event]))
        },
        |tx, appended| {
            project(tx.conn(), &code, &appended.events)?;
            row(tx.conn(), &code, template.version)
        },
    )
}

/// QA approves a draft version, signed (`approved`).
pub fn approve(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    version: u32,
    signer: VerifiedSigner,
) -> Result<TemplateRow, ServiceError> {
    command::execute(
        conn,
        &stream(code)?,
        actor,
        None,
        |_, events| {
            let history = TemplateHistory::fold(events);
            let event = lifecycle::decide_approval(&history, code, version, actor.as_str())?;
            Ok(Decision::Accept(vec![event]))
        },
        |tx, appended| {
            project(tx.conn(), code, &appended.events)?;
            signatures::apply(tx, signer, &appended.entries)?;
            row(tx.conn(), code, version)
        },
    )
}

/// The text of a version, exactly as imported.
pub fn source(conn: &mut DbConn, code: &str, version: u32) -> Result<String, ServiceError> {
    history(conn, code)?
        .version(version)
        .map(|v| v.imported.source.clone())
        .ok_or_else(|| {
            DomainError::not_found(
                "template_not_found",
                format!("template {code} has no version {version}"),
            )
            .into()
        })
}

/// The newest approved version of a template: the one a new batch is pinned to.
pub fn latest_approved(conn: &mut DbConn, code: &str) -> Result<(u32, Template), ServiceError> {
    let history = history(conn, code)?;
    if history.versions.is_empty() {
        return Err(unknown(code));
    }
    let approved = history.latest_approved().ok_or_else(|| {
        DomainError::conflict(
            "template_not_approved",
            format!(
                "template {code} has no version approved by QA; a batch cannot start on a draft"
            ),
        )
    })?;
    Ok((approved.imported.version, pinned(&approved.imported)?))
}

/// On a database that has never had a template, imports the shipped CD19 CAR-T template as a
/// draft (QA must still approve it). Safe when several instances start at once.
pub fn import_shipped(conn: &mut DbConn) -> Result<Option<TemplateRow>, ServiceError> {
    if !ledger::streams_with_prefix(conn, "template/")?.is_empty() {
        return Ok(None);
    }
    match import(conn, &Actor::system(), SHIPPED_CD19) {
        Ok(row) => Ok(Some(row)),
        Err(ServiceError::Domain(e)) if e.code == "template_version_exists" => Ok(None),
        Err(ServiceError::Ledger(ledger::LedgerError::Stale { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

fn project(
    conn: &mut DbConn,
    code: &str,
    events: &[Recorded<TemplateEvent>],
) -> Result<(), ServiceError> {
    for event in events {
        rows::apply(conn, code, event)?;
    }
    Ok(())
}

fn row(conn: &mut DbConn, code: &str, version: u32) -> Result<TemplateRow, ServiceError> {
    rows::list(conn)?
        .into_iter()
        .find(|r| r.code == code && i64::from(r.version) == i64::from(version))
        .ok_or_else(|| unknown(code))
}

/// The templates a batch can start on: each code with an approved version, and its title.
pub fn approved_codes(conn: &mut DbConn) -> Result<Vec<(String, String)>, ServiceError> {
    let mut codes: Vec<(String, String)> = vec![];
    for row in rows::list(conn)? {
        let approved = row.status == "approved";
        if approved && !codes.iter().any(|(code, _)| *code == row.code) {
            codes.push((row.code, row.title));
        }
    }
    Ok(codes)
}
