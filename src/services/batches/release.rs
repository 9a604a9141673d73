//! After manufacturing: QC results and their verification, the treating physician's request,
//! the QP's review and decision. Each write takes the one command path; every rule is in
//! `domain::batch::{qc, release}`.

use std::collections::BTreeMap;

use super::{confirm, Folded};
use crate::command::{self, Appended, Decision};
use crate::db::DbConn;
use crate::domain::batch::decide::Outcome;
use crate::domain::batch::release::{self as rules, Review, ReviewContext};
use crate::domain::batch::{qc, Batch, BatchEvent, ReleaseDecision};
use crate::domain::template::Template;
use crate::error::ServiceError;
use crate::ledger::{Appender, Entry};
use crate::services::accounts::Principal;
use crate::services::signatures::{self, VerifiedSigner};

/// Appends what `decide` returns and signs, with the signer's meaning, the record it made (the
/// first entry that is not a security event). A refusal that records a security event signs
/// nothing.
pub(super) fn record_signed(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    if_match: Option<i64>,
    signer: VerifiedSigner,
    decide: impl FnOnce(&mut DbConn, &Batch, &Template) -> Result<Outcome, ServiceError>,
) -> Result<Folded, ServiceError> {
    super::write(
        conn,
        who,
        batch_number,
        if_match,
        |conn, folded| {
            Ok(match decide(conn, &folded.batch, &folded.template)? {
                Outcome::Record(events) => Decision::Accept(events),
                Outcome::RefuseAndRecord(events, refusal) => Decision::RefuseAndRecord {
                    record: events,
                    refusal,
                },
            })
        },
        |tx, appended| sign_the_record(tx, signer, appended),
    )
}

fn sign_the_record(
    tx: &mut Appender<'_>,
    signer: VerifiedSigner,
    appended: &Appended<BatchEvent>,
) -> Result<Option<Entry>, ServiceError> {
    let record = appended
        .events
        .iter()
        .zip(&appended.entries)
        .find(|(event, _)| !matches!(event.event, BatchEvent::CoiMismatch(_)));
    match record {
        Some((_, entry)) => Ok(Some(signatures::apply(
            tx,
            signer,
            std::slice::from_ref(entry),
        )?)),
        None => Ok(None),
    }
}

/// A QC result, signed `performed` by the analyst.
pub fn record_qc_result(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    (test_id, result, comment): (&str, &str, Option<&str>),
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    record_signed(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |_, batch, template| {
            let analyst = (who.username.as_str(), &who.roles);
            let event = qc::decide_qc_record(batch, template, test_id, (result, comment), analyst)?;
            Ok(Outcome::Record(vec![event]))
        },
    )
}

/// A second analyst verifies the latest result of a test, signed `verified`.
pub fn verify_qc_result(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    test_id: &str,
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    confirm(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |batch, template| {
            let verifier = (who.username.as_str(), &who.roles);
            let (event, result) = qc::decide_qc_verify(batch, template, test_id, verifier)?;
            Ok((event, Some(result.entry.seq)))
        },
    )
}

/// The treating physician's request for an out-of-specification product, signed `requested`.
pub fn request_exceptional_release(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    (reason, risk_acknowledged): (&str, bool),
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    record_signed(conn, who, batch_number, if_match, signer, |_, batch, _| {
        let event = rules::decide_physician_request(batch, reason, risk_acknowledged)?;
        Ok(Outcome::Record(vec![event]))
    })
}

/// The QP's decision, signed with the decision as its meaning.
pub fn decide_release(
    conn: &mut DbConn,
    who: &Principal,
    batch_number: &str,
    (decision, justification): (ReleaseDecision, Option<&str>),
    if_match: Option<i64>,
    signer: VerifiedSigner,
) -> Result<Folded, ServiceError> {
    record_signed(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |_, batch, template| {
            let qp = who.username.as_str();
            let event = rules::decide_release(batch, template, decision, justification, qp)?;
            Ok(Outcome::Record(vec![event]))
        },
    )
}

/// The review by exception as of now, with the batch's position it was made at (the QP
/// certifies exactly what was reviewed by sending it back as `If-Match`).
pub struct Reviewed {
    pub batch: Batch,
    pub template: Template,
    pub review: Review,
    pub position: i64,
}

pub fn review(
    conn: &mut DbConn,
    batch_number: &str,
    late_entry_minutes: u32,
) -> Result<Reviewed, ServiceError> {
    let folded = Folded::read(conn, batch_number)?;
    let position = command::Aggregate::position(&folded);
    let Folded {
        batch, template, ..
    } = folded;
    let mut lots = BTreeMap::new();
    for lot_id in rules::lots_used(&batch) {
        let lot = crate::services::materials::lot(conn, &lot_id)?;
        lots.insert(lot_id, lot);
    }
    let context = ReviewContext {
        lots,
        late_after: chrono::Duration::minutes(i64::from(late_entry_minutes)),
    };
    let review = rules::review(&batch, &template, &context);
    Ok(Reviewed {
        batch,
        template,
        review,
        position,
    })
}
