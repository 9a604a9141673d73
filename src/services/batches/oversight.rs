//! QA's oversight of a batch and corrections of its values: deviations, holds, termination,
//! and corrections with their verification and approval, each on the one command path.

use serde_json::Map;

use super::{confirm, resources, write, Folded};
use crate::command::Decision;
use crate::db::DbConn;
use crate::domain::batch::decide::{Outcome, Resources};
use crate::error::ServiceError;
use crate::services::accounts::{now, Principal};
use crate::services::signatures::{self, VerifiedSigner};

/// What QA (or, for raising, an operator) does about a batch's deviations and its course.
pub enum Supervision {
    Raise {
        description: String,
        step_id: Option<String>,
    },
    Classify {
        deviation_id: u32,
        classification: crate::domain::batch::Classification,
    },
    Close {
        deviation_id: u32,
        investigation: String,
        root_cause: String,
        capa_ref: String,
    },
    Course {
        course: crate::domain::batch::supervision::Course,
        reason: String,
    },
}

/// Runs a supervision command; those QA signs (closing, holds, termination) carry a signer,
/// whose signature binds the event they append.
pub fn supervise(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    command: Supervision,
    if_match: Option<i64>,
    signer: Option<VerifiedSigner>,
) -> Result<Folded, ServiceError> {
    use crate::domain::batch::supervision as rules;
    write(
        conn,
        who,
        batch_number,
        if_match,
        |_, folded| {
            let (batch, template) = (&folded.batch, &folded.template);
            let event = match &command {
                Supervision::Raise {
                    description,
                    step_id,
                } => rules::decide_raise(batch, template, description, step_id.clone())?,
                Supervision::Classify {
                    deviation_id,
                    classification,
                } => rules::decide_classify(batch, *deviation_id, *classification)?,
                Supervision::Close {
                    deviation_id,
                    investigation,
                    root_cause,
                    capa_ref,
                } => {
                    rules::decide_close(batch, *deviation_id, investigation, root_cause, capa_ref)?
                }
                Supervision::Course { course, reason } => {
                    rules::decide_course(batch, *course, reason)?
                }
            };
            Ok(Decision::Accept(vec![event]))
        },
        |tx, appended| match signer {
            Some(signer) => Ok(Some(signatures::apply(tx, signer, &appended.entries)?)),
            None => Ok(None),
        },
    )
}

/// A value corrected by the record's performer or QA, signed `performed` by its author.
pub fn correct(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    command: crate::domain::batch::corrections::Correct,
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    use crate::domain::batch::corrections;
    let today = now().date_naive();
    write(
        conn,
        who,
        batch_number,
        if_match,
        |conn, folded| {
            let (batch, template) = (&folded.batch, &folded.template);
            let mut submitted = Map::new();
            submitted.insert(command.field_id.clone(), command.value.clone());
            let resources = match template.step(&command.step_id) {
                Some((_, step)) => resources(conn, step, &submitted)?,
                None => Resources::default(),
            };
            let author = (who.username.as_str(), &who.roles);
            match corrections::decide_correct(batch, template, command, author, &resources, today)?
            {
                Outcome::Record(events) => Ok(Decision::Accept(events)),
                Outcome::RefuseAndRecord(events, refusal) => Ok(Decision::RefuseAndRecord {
                    record: events,
                    refusal,
                }),
            }
        },
        |tx, appended| {
            // The author's signature binds the correction itself, not a deviation it raised.
            let corrected = appended.entries.first().ok_or_else(|| {
                ServiceError::from(crate::domain::DomainError::new(
                    "nothing_recorded",
                    "nothing to sign",
                ))
            })?;
            Ok(Some(signatures::apply(
                tx,
                signer,
                std::slice::from_ref(corrected),
            )?))
        },
    )
}

/// A second person verifies a correction (`verified`), or QA approves one (`approved`); the
/// signature binds the correction entry.
pub fn confirm_correction(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    (correction_id, approve): (u32, bool),
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    use crate::domain::batch::corrections;
    confirm(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |batch, template| {
            let event = if approve {
                corrections::decide_approve_correction(batch, correction_id, who.username.as_str())?
            } else {
                let verifier = (who.username.as_str(), &who.roles);
                corrections::decide_verify_correction(batch, template, correction_id, verifier)?
            };
            Ok((event, batch.correction(correction_id).map(|c| c.seq)))
        },
    )
}
