//! Ledger incidents as the service runs them (the rules are in `domain::incident`): QA's
//! signed record and an administrator's signed confirmation, each accepted only after the
//! whole ledger verified at that moment; the confirmation lifts this instance's distrust.

use std::cell::Cell;
use std::sync::Arc;

use crate::command::{self, Decision};
use crate::db::DbConn;
use crate::domain::incident::{
    self, decide_confirm, decide_record, ensure_verifies, Finding, Incident, IncidentEvent,
    Incidents, Step, Untrusted, STREAM,
};
use crate::domain::DomainError;
use crate::error::ServiceError;
use crate::ledger::{self, heads, Distrust, Evidence, Sealer, Stream};
use crate::services::accounts::Principal;
use crate::services::signatures::{self, VerifiedSigner};

/// This instance's trust and the site's incidents, for the incident page and its API.
pub struct Status {
    /// Why this instance does not trust its ledger, or `None` while it does.
    pub distrust: Option<Distrust>,
    pub incidents: Incidents,
}

impl Status {
    /// The incident of the current distrust, if QA has recorded it.
    pub fn open(&self) -> Option<&Incident> {
        self.incidents.of(&finding(self.distrust.as_ref()?))
    }
}

pub fn status(conn: &mut DbConn) -> Result<Status, ServiceError> {
    Ok(Status {
        distrust: heads::current().and_then(|sealer| sealer.trust().current()),
        incidents: incidents(conn)?,
    })
}

/// The whole verification, run by the incident's forms before the password is checked (the
/// signature must follow its password check within a minute, however long the ledger): a pass
/// lets the incident be recorded, a failure keeps or makes the instance read-only. Refuses when
/// there is no incident (the instance trusts its ledger).
pub fn verify_now(conn: &mut DbConn, evidence: &Evidence) -> Result<(), ServiceError> {
    let sealer = sealer_distrusting()?;
    verify_ledger(conn, Some(&sealer), evidence)?;
    Ok(())
}

/// What a person asked for (the API's verify, the UI's button): the whole verification, then
/// the projections against the ledger when it holds. A ledger that fails makes the instance
/// read-only, as when the service finds it itself.
pub fn verify_on_request(
    conn: &mut DbConn,
    sealer: Option<&Sealer>,
    evidence: &Evidence,
) -> Result<(ledger::Audit, Vec<String>), ServiceError> {
    let verdict = verify_ledger(conn, sealer, evidence)?;
    if !verdict.is_ok() {
        return Ok((verdict, Vec::new()));
    }
    let mismatches = crate::services::projections::check(conn)?;
    Ok((verdict, mismatches))
}

/// The whole verification now: a failure makes the instance read-only; a pass on an instance
/// that is read-only already lets its incident be recorded ([`note_verified`]).
pub fn verify_ledger(
    conn: &mut DbConn,
    sealer: Option<&Sealer>,
    evidence: &Evidence,
) -> Result<ledger::Audit, ServiceError> {
    let verdict = ledger::audit(conn, evidence)?;
    let Some(sealer) = sealer else {
        return Ok(verdict);
    };
    match verdict.first_failure() {
        Some((seq, reason)) => {
            sealer.trust().distrust(seq, reason);
        }
        None => note_verified(conn, sealer, verdict.report.entries)?,
    }
    Ok(verdict)
}

/// After the first `verified` entries of the ledger verified in full on an instance that
/// stopped trusting it: once the rows that grant rights agree with the ledger and their seals
/// as well, QA and an administrator may record the incident; if they already have (the
/// instance stopped before it lifted its distrust), the instance writes again. Rows that
/// disagree are a failure like any other: they undo an earlier pass.
pub fn note_verified(
    conn: &mut DbConn,
    sealer: &Sealer,
    verified: u64,
) -> Result<(), ServiceError> {
    if sealer.trust().is_trusted() {
        return Ok(());
    }
    if let Some(first) = crate::services::accounts::audit::mismatches(conn)?
        .into_iter()
        .next()
    {
        sealer.trust().distrust(0, first);
        return Ok(());
    }
    if let Some(distrust) = sealer.trust().verified_again() {
        resume_if_confirmed(conn, sealer, &distrust, verified)?;
    }
    Ok(())
}

/// The incident of this instance's distrust as the person may act on it now.
pub fn next_step(status: &Status, who: &Principal) -> Option<Step> {
    let untrusted = status.distrust.as_ref().map(untrusted);
    incident::next_step(
        &status.incidents,
        untrusted.as_ref(),
        (&who.username, &who.roles),
    )
}

/// QA's record of the cause and of what was done, signed `approved`, after [`verify_now`].
pub fn record(
    conn: &mut DbConn,
    who: &Principal,
    signer: VerifiedSigner,
    (cause, actions): (&str, &str),
) -> Result<Incident, ServiceError> {
    let (_, distrust) = verified()?;
    let untrusted = untrusted(&distrust);
    command::execute(
        conn,
        &stream()?,
        &who.actor(),
        None,
        |_, events| {
            let incidents = Incidents::fold(events);
            let recorded = decide_record(
                &incidents,
                &untrusted,
                (&who.username, &who.roles),
                cause,
                actions,
            )?;
            Ok(Decision::Accept(vec![IncidentEvent::Recorded(recorded)]))
        },
        |tx, appended| signatures::apply(tx, signer, &appended.entries).map(|_| ()),
    )?;
    recorded(conn, &untrusted.finding)
}

/// The administrator's confirmation, signed `verified` over QA's record by someone other than
/// its recorder; once it commits, this instance trusts its ledger again.
pub fn confirm(
    conn: &mut DbConn,
    who: &Principal,
    signer: VerifiedSigner,
) -> Result<Incident, ServiceError> {
    let (sealer, distrust) = verified()?;
    let untrusted = untrusted(&distrust);
    let record_seq = Cell::new(None);
    command::execute(
        conn,
        &stream()?,
        &who.actor(),
        None,
        |_, events| {
            let incidents = Incidents::fold(events);
            let (confirmed, seq) =
                decide_confirm(&incidents, &untrusted, (&who.username, &who.roles))?;
            record_seq.set(Some(seq));
            Ok(Decision::Accept(vec![IncidentEvent::Confirmed(confirmed)]))
        },
        |tx, _| {
            let record = record_seq
                .get()
                .and_then(|seq| ledger::entry_at(tx.conn(), seq).transpose())
                .transpose()?
                .ok_or_else(|| {
                    DomainError::conflict(
                        "incident_not_recorded",
                        "QA's record of the incident is not in the ledger",
                    )
                })?;
            signatures::apply(tx, signer, &[record]).map(|_| ())
        },
    )?;
    if !sealer.trust().resume(&distrust) {
        // The ledger failed again between the decision and now: a new finding, which needs
        // an incident of its own.
        tracing::warn!("the incident is confirmed, but the ledger failed again meanwhile");
    }
    recorded(conn, &untrusted.finding)
}

/// After a full verification of the first `verified` entries passed on a distrusted instance:
/// an incident confirmed already (the confirmation committed, then the instance stopped before
/// it lifted its distrust) lifts it now. Only entries the verification covered count: a
/// confirmation inserted around cartrec after it is not read.
pub fn resume_if_confirmed(
    conn: &mut DbConn,
    sealer: &Sealer,
    distrust: &Distrust,
    verified: u64,
) -> Result<bool, ServiceError> {
    let events = ledger::stream_events::<IncidentEvent>(conn, &stream()?)?;
    let covered: Vec<_> = events
        .into_iter()
        .filter(|e| u64::try_from(e.seq).is_ok_and(|seq| seq < verified))
        .collect();
    if Incidents::fold(&covered).closes(&finding(distrust)) {
        return Ok(sealer.trust().resume(distrust));
    }
    Ok(false)
}

fn sealer_distrusting() -> Result<Arc<Sealer>, ServiceError> {
    heads::current()
        .filter(|sealer| !sealer.trust().is_trusted())
        .ok_or_else(no_incident)
}

fn no_incident() -> ServiceError {
    DomainError::conflict(
        "no_ledger_incident",
        "this instance trusts its ledger: there is no incident to record",
    )
    .into()
}

/// The distrust the incident is about, once the ledger verified again (the domain's rule).
fn verified() -> Result<(Arc<Sealer>, Distrust), ServiceError> {
    let sealer = sealer_distrusting()?;
    let distrust = sealer.trust().current().ok_or_else(no_incident)?;
    ensure_verifies(&untrusted(&distrust))?;
    Ok((sealer, distrust))
}

fn untrusted(distrust: &Distrust) -> Untrusted {
    Untrusted {
        finding: finding(distrust),
        verifies_now: distrust.verified_at.is_some(),
    }
}

fn finding(distrust: &Distrust) -> Finding {
    Finding {
        first_bad_seq: distrust.seq,
        reason: distrust.reason.clone(),
        distrusted_since: distrust.since.clone(),
    }
}

fn incidents(conn: &mut DbConn) -> Result<Incidents, ServiceError> {
    let events = ledger::stream_events::<IncidentEvent>(conn, &stream()?)?;
    Ok(Incidents::fold(&events))
}

fn recorded(conn: &mut DbConn, finding: &Finding) -> Result<Incident, ServiceError> {
    incidents(conn)?.of(finding).cloned().ok_or_else(|| {
        DomainError::conflict(
            "incident_not_recorded",
            "QA has not recorded this incident yet",
        )
        .into()
    })
}

fn stream() -> Result<Stream, ServiceError> {
    Ok(Stream::parse(STREAM)?)
}
