//! On the way to the patient and after: shipments, receipt on the ward, the two-person
//! identity check at the bedside, the infusion and the follow-up visits. Every rule is in
//! `domain::batch::custody`.

use super::release::record_signed;
use crate::db::DbConn;
use crate::domain::batch::custody::{self, BedsideRole, Dispatch, Infusion, Receipt, Visit};
use crate::domain::batch::decide::Outcome;
use crate::error::ServiceError;
use crate::services::accounts::{now, Principal};
use crate::services::signatures::VerifiedSigner;

/// Who writes, on which batch, as last read: the frame every custody write shares.
pub struct Write<'a> {
    pub who: &'a Principal,
    pub batch_number: &'a str,
    pub if_match: Option<i64>,
    pub signer: VerifiedSigner,
}

fn run(
    conn: &mut DbConn,
    write: Write<'_>,
    decide: impl FnOnce(
        &crate::domain::batch::Batch,
        &crate::domain::template::Template,
    ) -> Result<Outcome, ServiceError>,
) -> Result<super::Folded, ServiceError> {
    let Write {
        who,
        batch_number,
        if_match,
        signer,
    } = write;
    record_signed(
        conn,
        who,
        batch_number,
        if_match,
        signer,
        |_, batch, template| decide(batch, template),
    )
}

pub fn dispatch(
    conn: &mut DbConn,
    write: Write<'_>,
    input: Dispatch,
) -> Result<super::Folded, ServiceError> {
    run(conn, write, |batch, _| {
        Ok(Outcome::Record(vec![custody::decide_dispatch(
            batch,
            input,
            now(),
        )?]))
    })
}

pub fn receive(
    conn: &mut DbConn,
    write: Write<'_>,
    shipment_id: u32,
    input: Receipt,
) -> Result<super::Folded, ServiceError> {
    run(conn, write, |batch, template| {
        Ok(Outcome::Record(custody::decide_receive(
            batch,
            template,
            shipment_id,
            input,
            now(),
        )?))
    })
}

pub fn bedside_check(
    conn: &mut DbConn,
    write: Write<'_>,
    identifiers: (&str, &str),
    role: BedsideRole,
) -> Result<super::Folded, ServiceError> {
    let clinician = write.who.username.as_str().to_owned();
    run(conn, write, |batch, _| {
        Ok(custody::decide_bedside_check(
            batch,
            identifiers,
            role,
            &clinician,
        )?)
    })
}

pub fn infuse(
    conn: &mut DbConn,
    write: Write<'_>,
    input: Infusion,
) -> Result<super::Folded, ServiceError> {
    run(conn, write, |batch, _| {
        Ok(Outcome::Record(vec![custody::decide_infusion(
            batch,
            input,
            now(),
        )?]))
    })
}

pub fn follow_up(
    conn: &mut DbConn,
    write: Write<'_>,
    input: Visit,
) -> Result<super::Folded, ServiceError> {
    run(conn, write, |batch, _| {
        Ok(Outcome::Record(vec![custody::decide_follow_up(
            batch,
            input,
            now().date_naive(),
        )?]))
    })
}
