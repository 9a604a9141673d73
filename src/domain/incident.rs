//! Ledger incidents: the record that lets an instance write again after it stopped trusting
//! its ledger.
//!
//! An instance that finds its ledger not what cartrec wrote goes read-only. Restoring a
//! backup, or putting a tampered row right, makes the ledger verify again, but that alone
//! must not end the incident: EU GMP Annex 11 §13 asks that incidents, "not only system
//! failures and data errors", be "reported and assessed", with the root cause identified, and
//! 21 CFR Part 11 §11.10(e) that the record of who did what stays. So writing resumes only
//! once two people have put the incident on the record, in the ledger itself:
//! - a **QA** person records its cause and what was done (restore, repair), signed `approved`;
//! - an **administrator**, who runs the system but signs no GMP data, confirms the technical
//!   facts, signed `verified` over QA's record: a second person, never the recorder.
//!
//! Both are accepted only while the ledger verifies in full at that moment. Until the
//! confirmation, the instance appends nothing but what these two need: sign-ins (and their
//! failures and locks), sign-outs, and the incident's own events ([`writable_while_recovering`]).

use serde::{Deserialize, Serialize};

use super::signature::SignatureApplied;
use super::text::printable_line;
use super::{About, DomainError, Recorded, Role, Roles, Username};

/// The one stream of incident records.
pub const STREAM: &str = "ledger/incidents";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload")]
pub enum IncidentEvent {
    #[serde(rename = "incident.recorded")]
    Recorded(IncidentRecorded),
    #[serde(rename = "incident.confirmed")]
    Confirmed(IncidentConfirmed),
    #[serde(rename = "signature.applied")]
    SignatureApplied(SignatureApplied),
}

/// What the instance found, as it found it: the ledger's own words, not the recorder's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The first entry found wrong (or where the missing ones begin).
    pub first_bad_seq: i64,
    pub reason: String,
    /// When the instance stopped trusting its ledger (RFC 3339).
    pub distrusted_since: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentRecorded {
    /// 1, 2, …: the incident's number at this site.
    pub number: u32,
    pub finding: Finding,
    /// What QA found the cause to be.
    pub cause: String,
    /// What was done about it (a restore from which backup, a row put right, …).
    pub actions: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentConfirmed {
    pub number: u32,
    pub confirmed_by: String,
}

/// One incident as its events tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub number: u32,
    pub finding: Finding,
    pub cause: String,
    pub actions: String,
    pub recorded_by: String,
    pub recorded_at: String,
    /// The entry QA signed, which the administrator's confirmation signs too.
    pub recorded_seq: i64,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
}

/// Every incident of the site, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incidents(pub Vec<Incident>);

impl Incidents {
    pub fn fold(events: &[Recorded<IncidentEvent>]) -> Incidents {
        let mut incidents = Vec::<Incident>::new();
        for recorded in events {
            match &recorded.event {
                IncidentEvent::Recorded(e) => incidents.push(Incident {
                    number: e.number,
                    finding: e.finding.clone(),
                    cause: e.cause.clone(),
                    actions: e.actions.clone(),
                    recorded_by: e.recorded_by.clone(),
                    recorded_at: recorded.recorded_at.clone(),
                    recorded_seq: recorded.seq,
                    confirmed_by: None,
                    confirmed_at: None,
                }),
                IncidentEvent::Confirmed(e) => {
                    if let Some(open) = incidents.iter_mut().find(|i| i.number == e.number) {
                        open.confirmed_by = Some(e.confirmed_by.clone());
                        open.confirmed_at = Some(recorded.recorded_at.clone());
                    }
                }
                IncidentEvent::SignatureApplied(_) => {}
            }
        }
        Incidents(incidents)
    }

    /// The incident recorded for this finding, if QA has recorded it.
    pub fn of(&self, finding: &Finding) -> Option<&Incident> {
        self.0.iter().rev().find(|i| &i.finding == finding)
    }

    /// Whether this finding's incident is recorded and confirmed: the instance may write.
    pub fn closes(&self, finding: &Finding) -> bool {
        self.of(finding).is_some_and(|i| i.confirmed_by.is_some())
    }

    fn next_number(&self) -> u32 {
        self.0.last().map_or(1, |i| i.number.saturating_add(1))
    }
}

/// The instance's state as the two decisions need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub finding: Finding,
    /// Whether the ledger has verified in full since (and nothing failed after).
    pub verifies_now: bool,
}

/// QA's record of the incident: its cause and what was done.
pub fn decide_record(
    incidents: &Incidents,
    untrusted: &Untrusted,
    recorder: (&Username, &Roles),
    cause: &str,
    actions: &str,
) -> Result<IncidentRecorded, DomainError> {
    if !recorder.1.contains(Role::Qa) {
        return Err(DomainError::forbidden(
            "incident_recorder_not_qa",
            "only QA records a ledger incident",
        ));
    }
    ensure_verifies(untrusted)?;
    if incidents.of(&untrusted.finding).is_some() {
        return Err(DomainError::conflict(
            "incident_already_recorded",
            "this incident is recorded already; an administrator confirms it",
        ));
    }
    Ok(IncidentRecorded {
        number: incidents.next_number(),
        finding: untrusted.finding.clone(),
        cause: printable_line(cause, "invalid_cause", "the cause", 1..=2000).about("cause")?,
        actions: printable_line(actions, "invalid_actions", "what was done", 1..=2000)
            .about("actions")?,
        recorded_by: recorder.0.as_str().to_owned(),
    })
}

/// The administrator's confirmation of QA's record; returns the confirmation and the seq of
/// the record it signs.
pub fn decide_confirm(
    incidents: &Incidents,
    untrusted: &Untrusted,
    confirmer: (&Username, &Roles),
) -> Result<(IncidentConfirmed, i64), DomainError> {
    if !confirmer.1.contains(Role::Admin) {
        return Err(DomainError::forbidden(
            "incident_confirmer_not_admin",
            "an administrator confirms a ledger incident",
        ));
    }
    ensure_verifies(untrusted)?;
    let Some(incident) = incidents.of(&untrusted.finding) else {
        return Err(DomainError::conflict(
            "incident_not_recorded",
            "QA has not recorded this incident yet",
        ));
    };
    if incident.confirmed_by.is_some() {
        return Err(DomainError::conflict(
            "incident_already_confirmed",
            "this incident is confirmed already",
        ));
    }
    if incident.recorded_by == confirmer.0.as_str() {
        return Err(DomainError::forbidden(
            "incident_confirmer_recorded_it",
            "a second person confirms the incident: you recorded it",
        ));
    }
    let confirmed = IncidentConfirmed {
        number: incident.number,
        confirmed_by: confirmer.0.as_str().to_owned(),
    };
    Ok((confirmed, incident.recorded_seq))
}

/// Both decisions need the ledger to verify now. The service asks this before it takes the
/// append lock, which an unverified ledger refuses to give (with `ledger_unverified`).
pub fn ensure_verifies(untrusted: &Untrusted) -> Result<(), DomainError> {
    if untrusted.verifies_now {
        return Ok(());
    }
    Err(DomainError::conflict(
        "ledger_still_unverified",
        format!(
            "the ledger does not verify yet (seq {}: {}): restore it from a backup, or put the \
             row right, and verify it again before recording the incident",
            untrusted.finding.first_bad_seq, untrusted.finding.reason
        ),
    ))
}

/// Who acts next on the incident of this instance's distrust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// QA records it.
    Record,
    /// An administrator confirms QA's record.
    Confirm,
}

/// The step this person may take, if any: the rules of the decisions about who, asked before
/// the form is shown. Whether the ledger verifies is left to the decision: the form verifies
/// it first, so QA is offered the record while it has not verified yet.
pub fn next_step(
    incidents: &Incidents,
    untrusted: Option<&Untrusted>,
    person: (&Username, &Roles),
) -> Option<Step> {
    let untrusted = untrusted?;
    match incidents.of(&untrusted.finding) {
        None if person.1.contains(Role::Qa) => Some(Step::Record),
        Some(open)
            if open.confirmed_by.is_none()
                && person.1.contains(Role::Admin)
                && open.recorded_by != person.0.as_str() =>
        {
            Some(Step::Confirm)
        }
        _ => None,
    }
}

/// What an instance that stopped trusting its ledger still appends once the ledger verifies
/// again: what the two people need to sign in and record the incident, nothing that records
/// GMP data or changes a right.
pub fn writable_while_recovering(stream: &str, kind: &str) -> bool {
    if stream == STREAM {
        return true;
    }
    // A lock that ran out is lifted, and a temporary password replaced, so that nobody can
    // keep QA or an administrator out of the recovery by typing wrong passwords in their name.
    const SIGN_IN: [&str; 9] = [
        "user.login_succeeded",
        "user.login_failed",
        "user.logged_out",
        "user.signature_failed",
        "user.failures_cleared",
        "user.locked",
        "user.unlocked",
        "user.password_changed",
        "user.password_change_failed",
    ];
    (stream.starts_with("user/") && SIGN_IN.contains(&kind))
        || (stream == "system" && kind == "auth.login_failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding() -> Finding {
        Finding {
            first_bad_seq: 41,
            reason: "entry 41 is covered by no signed head".to_owned(),
            distrusted_since: "2026-12-07T02:00:00.000000Z".to_owned(),
        }
    }

    fn untrusted(verifies_now: bool) -> Untrusted {
        Untrusted {
            finding: finding(),
            verifies_now,
        }
    }

    fn person(name: &str, role: Role) -> (Username, Roles) {
        (
            Username::parse(name).expect("name"),
            Roles::held([role]).expect("roles"),
        )
    }

    fn recorded(event: IncidentEvent, seq: i64) -> Recorded<IncidentEvent> {
        Recorded {
            seq,
            stream_seq: seq,
            hash: String::new(),
            actor: String::new(),
            recorded_at: "2026-12-07T03:00:00.000000Z".to_owned(),
            event,
        }
    }

    fn with_record(by: &(Username, Roles)) -> Incidents {
        let event = decide_record(
            &Incidents::default(),
            &untrusted(true),
            (&by.0, &by.1),
            "an insider appended an entry",
            "restored last night's backup",
        )
        .expect("recorded");
        Incidents::fold(&[recorded(IncidentEvent::Recorded(event), 7)])
    }

    /// Covers: GMP-LED-15
    #[test]
    fn only_qa_records_and_only_once_the_ledger_verifies() {
        let qa = person("quinn", Role::Qa);
        let admin = person("adele", Role::Admin);
        let none = Incidents::default();
        let refused = |who: &(Username, Roles), verifies| {
            decide_record(
                &none,
                &untrusted(verifies),
                (&who.0, &who.1),
                "cause",
                "done",
            )
            .expect_err("refused")
            .code
        };
        assert_eq!(refused(&admin, true), "incident_recorder_not_qa");
        assert_eq!(refused(&qa, false), "ledger_still_unverified");
        let twice = decide_record(
            &with_record(&qa),
            &untrusted(true),
            (&qa.0, &qa.1),
            "c",
            "a",
        );
        assert_eq!(twice.expect_err("twice").code, "incident_already_recorded");
        let blank = decide_record(&none, &untrusted(true), (&qa.0, &qa.1), " ", "a");
        assert_eq!(blank.expect_err("blank").code, "invalid_cause");
        let first = decide_record(&none, &untrusted(true), (&qa.0, &qa.1), "c", "a");
        assert_eq!(first.expect("first").number, 1);
    }

    /// Covers: GMP-LED-15
    #[test]
    fn an_administrator_other_than_the_recorder_confirms_once() {
        let qa = person("quinn", Role::Qa);
        let admin = person("adele", Role::Admin);
        let incidents = with_record(&qa);
        let confirm = |who: &(Username, Roles), incidents: &Incidents, verifies| {
            decide_confirm(incidents, &untrusted(verifies), (&who.0, &who.1))
        };
        assert_eq!(
            confirm(&qa, &incidents, true).expect_err("qa").code,
            "incident_confirmer_not_admin"
        );
        assert_eq!(
            confirm(&admin, &incidents, false)
                .expect_err("unverified")
                .code,
            "ledger_still_unverified"
        );
        assert_eq!(
            confirm(&admin, &Incidents::default(), true)
                .expect_err("none")
                .code,
            "incident_not_recorded"
        );
        // A recorder who is also an administrator (roles change over time) is still one person.
        let renamed = Incidents(
            incidents
                .0
                .iter()
                .cloned()
                .map(|mut i| {
                    i.recorded_by = "adele".to_owned();
                    i
                })
                .collect(),
        );
        assert_eq!(
            confirm(&admin, &renamed, true).expect_err("same").code,
            "incident_confirmer_recorded_it"
        );
        let (confirmed, seq) = confirm(&admin, &incidents, true).expect("confirmed");
        assert_eq!(seq, 7, "the confirmation signs QA's record");
        let mut events = vec![recorded(
            IncidentEvent::Recorded(IncidentRecorded {
                number: 1,
                finding: finding(),
                cause: "c".to_owned(),
                actions: "a".to_owned(),
                recorded_by: "quinn".to_owned(),
            }),
            7,
        )];
        events.push(recorded(IncidentEvent::Confirmed(confirmed), 9));
        let closed = Incidents::fold(&events);
        assert!(closed.closes(&finding()));
        assert_eq!(
            confirm(&admin, &closed, true).expect_err("twice").code,
            "incident_already_confirmed"
        );
        let other = Finding {
            distrusted_since: "2026-12-08T00:00:00.000000Z".to_owned(),
            ..finding()
        };
        assert!(!closed.closes(&other), "a later distrust is a new incident");
    }

    /// Covers: GMP-LED-15
    #[test]
    fn the_next_step_is_offered_only_to_whoever_may_take_it() {
        let qa = person("quinn", Role::Qa);
        let admin = person("adele", Role::Admin);
        let none = Incidents::default();
        let step = |incidents, u: Option<&Untrusted>, who: &(Username, Roles)| {
            next_step(incidents, u, (&who.0, &who.1))
        };
        assert_eq!(step(&none, None, &qa), None, "trusted: nothing to do");
        assert_eq!(
            step(&none, Some(&untrusted(false)), &qa),
            Some(Step::Record),
            "offered: the form verifies first"
        );
        assert_eq!(step(&none, Some(&untrusted(true)), &qa), Some(Step::Record));
        assert_eq!(step(&none, Some(&untrusted(true)), &admin), None);
        let recorded = with_record(&qa);
        assert_eq!(step(&recorded, Some(&untrusted(true)), &qa), None);
        assert_eq!(
            step(&recorded, Some(&untrusted(true)), &admin),
            Some(Step::Confirm)
        );
    }

    /// Covers: GMP-LED-15
    #[test]
    fn while_recovering_only_sign_ins_and_the_incident_are_written() {
        assert!(writable_while_recovering(STREAM, "incident.recorded"));
        assert!(writable_while_recovering(STREAM, "signature.applied"));
        assert!(writable_while_recovering(
            "user/quinn",
            "user.login_succeeded"
        ));
        assert!(writable_while_recovering(
            "user/quinn",
            "user.signature_failed"
        ));
        assert!(writable_while_recovering("system", "auth.login_failed"));
        assert!(writable_while_recovering("user/quinn", "user.unlocked"));
        assert!(writable_while_recovering(
            "user/quinn",
            "user.password_changed"
        ));
        for (stream, kind) in [
            ("user/quinn", "user.roles_approved"),
            ("user/quinn", "user.roles_requested"),
            ("user/quinn", "user.created"),
            ("user/quinn", "signature.applied"),
            ("batch/CT-2026-0001", "batch.step_recorded"),
            ("template/CD19-CAR-T", "template.approved"),
            ("lot/L-1", "lot.released"),
        ] {
            assert!(!writable_while_recovering(stream, kind), "{stream} {kind}");
        }
    }
}
