//! Files people attach to records, stored once by their SHA-256: the hash is what an event
//! carries, so a record is bound to the exact bytes. The first upload of a file is a ledger
//! event (who uploaded what, when); uploading the same bytes again records nothing new.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::Action;
use crate::command::{self, Decision};
use crate::db::schema::attachments;
use crate::db::DbConn;
use crate::domain::DomainError;
use crate::error::ServiceError;
use crate::ledger::Stream;
use crate::services::accounts::Principal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum AttachmentEvent {
    #[serde(rename = "attachment.stored")]
    Stored(Stored),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stored {
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
}

pub struct File {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Stores the file and answers its hash, and whether this upload was the first. Checked
/// here, not only by the route that is uploading: a step's form carries its files, and its
/// page is opened for recording a step, a different action.
pub fn store(
    conn: &mut DbConn,
    who: &Principal,
    file: File,
) -> Result<(String, bool), ServiceError> {
    who.authorize(Action::UploadAttachment)?;
    let actor = &who.actor();
    let sha256 = hex::encode(Sha256::digest(&file.bytes));
    let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
    let stream = Stream::named("attachment/", &sha256)?;
    let first = command::execute(
        conn,
        &stream,
        actor,
        None,
        |_, events: &[crate::domain::Recorded<AttachmentEvent>]| {
            if !events.is_empty() {
                return Ok(Decision::Accept(vec![]));
            }
            Ok(Decision::Accept(vec![AttachmentEvent::Stored(Stored {
                sha256: sha256.clone(),
                size,
                content_type: file.content_type.clone(),
            })]))
        },
        |tx, appended| {
            if appended.events.is_empty() {
                return Ok(false);
            }
            diesel::insert_into(attachments::table)
                .values((
                    attachments::sha256.eq(&sha256),
                    attachments::content_type.eq(&file.content_type),
                    attachments::size.eq(size),
                    attachments::bytes.eq(&file.bytes),
                ))
                .execute(tx.conn())?;
            Ok(true)
        },
    )?;
    Ok((sha256, first))
}

pub fn load(conn: &mut DbConn, sha256: &str) -> Result<File, ServiceError> {
    let found: Option<(String, Vec<u8>)> = attachments::table
        .find(sha256)
        .select((attachments::content_type, attachments::bytes))
        .first(conn)
        .optional()?;
    let (content_type, bytes) = found.ok_or_else(|| {
        DomainError::not_found(
            "attachment_not_found",
            format!("there is no attachment {sha256}"),
        )
    })?;
    Ok(File {
        content_type,
        bytes,
    })
}

/// Whether a file with this hash has been uploaded.
pub fn exists(conn: &mut DbConn, sha256: &str) -> Result<bool, ServiceError> {
    let count: i64 = attachments::table
        .filter(attachments::sha256.eq(sha256))
        .count()
        .get_result(conn)?;
    Ok(count == 1)
}

/// Stored files whose bytes no longer hash to their name.
pub fn mismatches(conn: &mut DbConn) -> Result<Vec<String>, ServiceError> {
    let keys: Vec<String> = attachments::table
        .select(attachments::sha256)
        .order(attachments::sha256)
        .load(conn)?;
    let mut found = Vec::new();
    for key in keys {
        let file = load(conn, &key)?;
        if hex::encode(Sha256::digest(&file.bytes)) != key {
            found.push(format!(
                "attachment {key}: its stored bytes do not hash to its name"
            ));
        }
    }
    Ok(found)
}
