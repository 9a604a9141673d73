//! The rules after manufacturing, without a database: QC verdicts and independence, what
//! blocks certification, exceptional release, custody, the bedside check, infusion and
//! follow-up.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

use super::custody::{self, *};
use super::decide::Outcome;
use super::qc::*;
use super::release::*;
use super::*;
use crate::domain::coi::{Coi, FacilityId};
use crate::domain::quantity::Decimal;
use crate::domain::template::QcSpec;
use crate::domain::{Role, Roles};

const TEMPLATE: &str = r#"{
  "code": "tiny", "version": 1, "title": "Tiny process",
  "stages": [{ "id": "make", "title": "Make", "steps": [
    { "id": "harvest", "title": "Harvest", "role": "operator", "verify": true, "coi": false,
      "repeatable": false, "fields": [
        { "id": "note", "label": "Note", "type": "text", "required": true } ] } ] }],
  "qc_tests": [
    { "id": "viability", "title": "Viability", "method": "7-AAD",
      "spec": { "type": "range", "min": "70", "unit": "%" } },
    { "id": "sterility", "title": "Sterility", "method": "BacT",
      "spec": { "type": "expected_text", "expected": "no growth" } } ],
  "shipping": { "max_temperature_c": "-150" }
}"#;

fn template() -> Template {
    Template::parse(TEMPLATE.as_bytes()).expect("test template parses")
}

fn coi(n: u32) -> Coi {
    Coi::assign(&FacilityId::parse("A1234").expect("fin"), 2026, n).expect("coi")
}

fn now() -> DateTime<Utc> {
    "2026-11-25T12:00:00Z".parse().expect("time")
}

fn roles(role: Role) -> Roles {
    Roles::new([role]).expect("roles")
}

/// A batch built from events as the ledger would hold them, one second apart.
struct Story {
    events: Vec<Recorded<BatchEvent>>,
}

impl Story {
    fn new() -> Story {
        let created = BatchEvent::Created(BatchCreated {
            batch_number: "B-2026-00001".into(),
            coi: coi(7).as_str().to_owned(),
            template_code: "tiny".into(),
            template_version: 1,
            patient_code: "ER-LUP-007".into(),
            date_of_birth: NaiveDate::from_ymd_opt(2014, 5, 2).expect("date"),
            treating_site: "Erlangen".into(),
            patient_weight_kg: Decimal::parse("31.5").expect("weight"),
        });
        let mut story = Story { events: Vec::new() };
        story.add("op1", created);
        story
    }

    fn add(&mut self, actor: &str, event: BatchEvent) -> &mut Story {
        let seq = 10 + self.events.len() as i64;
        let at = now() - Duration::hours(1) + Duration::seconds(seq);
        self.events.push(Recorded {
            seq,
            stream_seq: self.events.len() as i64,
            hash: format!("{seq:064x}"),
            actor: actor.into(),
            recorded_at: at.to_rfc3339(),
            event,
        });
        self
    }

    fn batch(&self) -> Batch {
        Batch::fold(&self.events).expect("folds").expect("a batch")
    }

    /// Applies what a decision accepted.
    fn accept(&mut self, actor: &str, decided: Result<BatchEvent, DomainError>) -> &mut Story {
        let event = decided.unwrap_or_else(|e| panic!("refused: {} {}", e.code, e.message));
        self.add(actor, event)
    }

    fn manufactured() -> Story {
        let mut story = Story::new();
        story
            .add(
                "op1",
                BatchEvent::StepRecorded(StepRecorded {
                    step_id: "harvest".into(),
                    record: 1,
                    values: BTreeMap::new(),
                    coi_confirmed: false,
                }),
            )
            .add(
                "op2",
                BatchEvent::StepVerified(StepVerified {
                    step_id: "harvest".into(),
                    record: 1,
                }),
            );
        story
    }

    fn qc(&mut self, test: &str, result: &str, comment: Option<&str>) -> &mut Story {
        let analyst = roles(Role::QcAnalyst);
        let decided = decide_qc_record(
            &self.batch(),
            &template(),
            test,
            (result, comment),
            ("qc1", &analyst),
        );
        self.accept("qc1", decided)
    }

    fn verify_qc(&mut self, test: &str) -> &mut Story {
        let analyst = roles(Role::QcAnalyst);
        let batch = self.batch();
        let decided =
            decide_qc_verify(&batch, &template(), test, ("qc2", &analyst)).map(|(e, _)| e);
        self.accept("qc2", decided)
    }

    fn tested(viability: &str) -> Story {
        let mut story = Story::manufactured();
        story
            .qc("viability", viability, None)
            .verify_qc("viability")
            .qc("sterility", "No growth", None)
            .verify_qc("sterility");
        story
    }

    fn release(
        &self,
        decision: ReleaseDecision,
        why: Option<&str>,
    ) -> Result<BatchEvent, DomainError> {
        decide_release(&self.batch(), &template(), decision, why, "qp1")
    }

    fn released() -> Story {
        let mut story = Story::tested("92.5");
        let decided = story.release(ReleaseDecision::Released, None);
        story.accept("qp1", decided);
        story
    }

    fn dispatched() -> Story {
        let mut story = Story::released();
        let decided = decide_dispatch(&story.batch(), dispatch(), now());
        story.accept("op1", decided);
        story
    }

    fn received(max: &str, intact: bool) -> Story {
        let mut story = Story::dispatched();
        let events = decide_receive(&story.batch(), &template(), 1, receipt(max, intact), now())
            .expect("received");
        for event in events {
            story.add("nurse", event);
        }
        story
    }

    fn bedside(&self, product: &Coi, role: BedsideRole, who: &str) -> Result<Outcome, DomainError> {
        let (product, patient) = (product.as_str(), coi(7).as_str().to_owned());
        decide_bedside_check(&self.batch(), (product, &patient), role, who)
    }

    fn checked() -> Story {
        let mut story = Story::received("-170", true);
        for (role, who) in [
            (BedsideRole::Checker, "nurse"),
            (BedsideRole::Witness, "doctor"),
        ] {
            let Ok(Outcome::Record(events)) = story.bedside(&coi(7), role, who) else {
                panic!("check refused")
            };
            story.add(who, events[0].clone());
        }
        story
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, DomainError>) -> &'static str {
    result.expect_err("refused").code
}

fn dispatch() -> Dispatch {
    Dispatch {
        shipper_id: "DS-7".into(),
        container_id: "C-1".into(),
        logger_id: "LOG-42".into(),
        dispatched_at: now() - Duration::minutes(30),
    }
}

fn receipt(max: &str, intact: bool) -> Receipt {
    Receipt {
        received_at: now() - Duration::minutes(10),
        min_temperature_c: "-190".into(),
        max_temperature_c: max.into(),
        container_intact: intact,
    }
}

fn infusion() -> custody::Infusion {
    custody::Infusion {
        thaw_started_at: now() - Duration::minutes(5),
        infusion_started_at: now() - Duration::minutes(3),
        infusion_ended_at: now() - Duration::minutes(1),
        bags: 1,
        dose_car_t_per_kg: "1.0e6".into(),
        premedication: "paracetamol, clemastine".into(),
        immediate_reactions: "none".into(),
    }
}

/// Covers: GMP-QC-1
#[test]
fn qc_results_are_judged_exactly_against_their_specification() {
    let range = QcSpec::Range {
        min: Some(Decimal::parse("70").expect("d")),
        max: None,
        unit: Some("%".into()),
    };
    assert_eq!(judge(&range, "70.0").expect("ok").1, Verdict::Pass);
    assert_eq!(judge(&range, "69.99").expect("ok").1, Verdict::Oos);
    assert_eq!(code(judge(&range, "seventy")), "invalid_result");
    let text = QcSpec::ExpectedText {
        expected: "no growth".into(),
    };
    assert_eq!(
        judge(&text, "  No growth ").expect("ok"),
        ("No growth".into(), Verdict::Pass)
    );
    assert_eq!(judge(&text, "growth").expect("ok").1, Verdict::Oos);
    assert_eq!(
        judge(&QcSpec::PassFail, "FAIL").expect("ok").1,
        Verdict::Oos
    );
    assert_eq!(code(judge(&QcSpec::PassFail, "maybe")), "invalid_result");
    let report = QcSpec::Report { unit: None };
    assert_eq!(judge(&report, "850").expect("ok").1, Verdict::Reported);
    assert_eq!(specification(&range), "at least 70 %");
}

/// Covers: GMP-QC-3, P11-10f
#[test]
fn qc_waits_for_manufacturing_and_is_independent_of_it() {
    let analyst = roles(Role::QcAnalyst);
    let story = Story::new();
    let early = decide_qc_record(
        &story.batch(),
        &template(),
        "viability",
        ("90", None),
        ("qc1", &analyst),
    );
    assert_eq!(code(early), "manufacturing_incomplete");
    let story = Story::manufactured();
    let both = Roles::new([Role::Operator, Role::QcAnalyst]).expect("roles");
    for maker in ["op1", "op2"] {
        let made = decide_qc_record(
            &story.batch(),
            &template(),
            "viability",
            ("90", None),
            (maker, &both),
        );
        assert_eq!(code(made), "analyst_made_batch", "{maker}");
    }
    let unknown = decide_qc_record(
        &story.batch(),
        &template(),
        "potency",
        ("1", None),
        ("qc1", &analyst),
    );
    assert_eq!(code(unknown), "qc_test_not_found");
}

/// Covers: GMP-QC-2
#[test]
fn an_oos_result_is_kept_and_retested_only_as_a_new_result_with_its_reason() {
    let mut story = Story::manufactured();
    story.qc("viability", "55", None);
    let analyst = roles(Role::QcAnalyst);
    let no_reason = decide_qc_record(
        &story.batch(),
        &template(),
        "viability",
        ("80", None),
        ("qc1", &analyst),
    );
    assert_eq!(code(no_reason), "retest_reason_required");
    story.qc(
        "viability",
        "81",
        Some("sample clotted: lab investigation LI-12"),
    );
    let batch = story.batch();
    assert_eq!(batch.qc_results.len(), 2);
    assert_eq!(batch.qc_results[0].recorded.verdict, Verdict::Oos);
    let current = batch.current_qc_result("viability").expect("current");
    assert_eq!(
        (current.recorded.attempt, current.recorded.verdict),
        (2, Verdict::Pass)
    );
    let again = decide_qc_record(
        &batch,
        &template(),
        "viability",
        ("82", Some("again")),
        ("qc1", &analyst),
    );
    assert_eq!(code(again), "result_already_recorded");
    let own = decide_qc_verify(&batch, &template(), "viability", ("qc1", &analyst)).map(|(e, _)| e);
    assert_eq!(code(own), "self_verification");
}

/// Covers: GMP-REL-1
#[test]
fn release_waits_for_every_result_verified_and_no_open_deviation() {
    let mut story = Story::manufactured();
    story
        .qc("viability", "92", None)
        .verify_qc("viability")
        .qc("sterility", "no growth", None);
    assert_eq!(
        code(story.release(ReleaseDecision::Released, None)),
        "qc_incomplete"
    );
    assert_eq!(story.batch().state(&template()), BatchState::QcPending);
    story.verify_qc("sterility");
    assert_eq!(
        story.batch().state(&template()),
        BatchState::AwaitingRelease
    );
    let raised = supervision::decide_raise(&story.batch(), &template(), "label smudged", None);
    story.accept("qa1", raised);
    assert_eq!(
        code(story.release(ReleaseDecision::Released, None)),
        "open_deviation"
    );
    let review = review(&story.batch(), &template(), &context());
    assert!(!review.ready());
    assert_eq!(review.decisions, vec![ReleaseDecision::Rejected]);
}

fn context() -> ReviewContext {
    ReviewContext {
        lots: BTreeMap::new(),
        late_after: Duration::minutes(60),
    }
}

/// Covers: GMP-SOD-3
#[test]
fn a_qp_who_took_part_never_decides() {
    let story = Story::tested("92");
    for took_part in ["op1", "op2", "qc1", "qc2"] {
        let decided = decide_release(
            &story.batch(),
            &template(),
            ReleaseDecision::Released,
            None,
            took_part,
        );
        assert_eq!(code(decided), "qp_took_part", "{took_part}");
    }
    let review = review(&story.batch(), &template(), &context());
    assert!(review.ready(), "{:?}", review.reasons);
}

/// Covers: GMP-REL-3
#[test]
fn an_oos_batch_is_released_only_exceptionally_on_the_physicians_request() {
    let mut story = Story::tested("55");
    assert_eq!(
        code(story.release(ReleaseDecision::Released, None)),
        "out_of_specification"
    );
    let exceptional = story.release(
        ReleaseDecision::ReleasedExceptionally,
        Some("no alternative"),
    );
    assert_eq!(code(exceptional), "physician_request_missing");
    let unacknowledged = decide_physician_request(&story.batch(), "refractory SLE", false);
    assert_eq!(code(unacknowledged), "risk_not_acknowledged");
    let request = decide_physician_request(&story.batch(), "refractory SLE", true);
    story.accept("doctor", request);
    let batch = story.batch();
    assert_eq!(
        batch.physician_requests[0].request.oos_results[0].test_id,
        "viability"
    );
    assert_eq!(
        code(story.release(ReleaseDecision::ReleasedExceptionally, None)),
        "justification_required"
    );
    let decided = story.release(
        ReleaseDecision::ReleasedExceptionally,
        Some("benefit outweighs risk"),
    );
    story.accept("qp1", decided);
    assert_eq!(
        story.batch().state(&template()),
        BatchState::ReleasedExceptionally
    );
    assert_eq!(
        code(story.release(ReleaseDecision::Rejected, Some("late"))),
        "already_decided"
    );
}

/// Covers: GMP-REL-3, GMP-REL-4
#[test]
fn a_batch_within_specification_is_not_released_exceptionally_and_rejection_is_final() {
    let mut story = Story::tested("92");
    let exceptional = story.release(ReleaseDecision::ReleasedExceptionally, Some("why"));
    assert_eq!(code(exceptional), "not_out_of_specification");
    assert_eq!(
        code(story.release(ReleaseDecision::Rejected, None)),
        "justification_required"
    );
    let rejected = story.release(
        ReleaseDecision::Rejected,
        Some("container cracked in storage"),
    );
    story.accept("qp1", rejected);
    assert_eq!(story.batch().state(&template()), BatchState::Rejected);
    let raised = supervision::decide_raise(&story.batch(), &template(), "anything", None);
    assert_eq!(code(raised), "batch_rejected");
    assert_eq!(
        code(decide_dispatch(&story.batch(), dispatch(), now())),
        "batch_rejected"
    );
}

/// Covers: GMP-CUS-1
#[test]
fn shipments_follow_release_one_at_a_time() {
    let story = Story::tested("92");
    assert_eq!(
        code(decide_dispatch(&story.batch(), dispatch(), now())),
        "not_released"
    );
    let story = Story::dispatched();
    assert_eq!(story.batch().state(&template()), BatchState::Shipped);
    assert_eq!(
        code(decide_dispatch(&story.batch(), dispatch(), now())),
        "shipment_in_transit"
    );
    let early = Receipt {
        received_at: now() - Duration::hours(2),
        ..receipt("-170", true)
    };
    assert_eq!(
        code(decide_receive(&story.batch(), &template(), 1, early, now())),
        "invalid_time"
    );
    let inverted = receipt("-200", true);
    assert_eq!(
        code(decide_receive(
            &story.batch(),
            &template(),
            1,
            inverted,
            now()
        )),
        "invalid_temperature"
    );
    assert_eq!(
        code(decide_receive(
            &story.batch(),
            &template(),
            2,
            receipt("-170", true),
            now()
        )),
        "shipment_not_found"
    );
}

/// Covers: GMP-CUS-2
#[test]
fn a_warm_or_broken_shipment_raises_a_deviation_that_blocks_infusion() {
    let story = Story::received("-120", true);
    let batch = story.batch();
    assert_eq!(batch.state(&template()), BatchState::Received);
    let (receipt, _) = batch.shipments[0].receipt.as_ref().expect("received");
    assert!(receipt.excursion);
    assert_eq!(
        receipt.deviation_id,
        Some(batch.deviations[0].raised.deviation_id)
    );
    assert!(batch.deviations[0].raised.automatic && batch.deviations[0].is_open());
    let broken = Story::received("-170", false).batch();
    assert!(broken.deviations[0].raised.description.contains("damaged"));
    let fine = Story::received("-150", true).batch();
    assert!(fine.deviations.is_empty(), "the limit itself is within it");
}

/// Covers: GMP-CUS-3
#[test]
fn the_bedside_check_needs_two_clinicians_and_a_mismatch_stops_everything() {
    let story = Story::dispatched();
    assert_eq!(
        code(story.bedside(&coi(7), BedsideRole::Checker, "nurse")),
        "not_received"
    );
    let mut story = Story::received("-170", true);
    assert_eq!(
        code(story.bedside(&coi(7), BedsideRole::Witness, "nurse")),
        "no_check_to_witness"
    );
    let Ok(Outcome::Record(events)) = story.bedside(&coi(7), BedsideRole::Checker, "nurse") else {
        panic!("refused")
    };
    story.add("nurse", events[0].clone());
    assert_eq!(
        code(story.bedside(&coi(7), BedsideRole::Witness, "nurse")),
        "same_clinician"
    );
    assert_eq!(
        code(story.bedside(&coi(7), BedsideRole::Checker, "doctor")),
        "bedside_check_pending"
    );
    assert_eq!(
        code(decide_infusion(&story.batch(), infusion(), now())),
        "bedside_check_required"
    );
    let Ok(Outcome::RefuseAndRecord(mismatch, refusal)) =
        story.bedside(&coi(8), BedsideRole::Witness, "doctor")
    else {
        panic!("a mismatch is refused and recorded")
    };
    assert_eq!(refusal.code, "coi_mismatch");
    story.add("doctor", mismatch[0].clone());
    let batch = story.batch();
    assert!(batch.bedside_checks[0].voided);
    assert_eq!(
        code(story.bedside(&coi(7), BedsideRole::Witness, "doctor")),
        "no_check_to_witness"
    );
}

/// Covers: GMP-CUS-4
#[test]
fn infusion_follows_a_passed_check_with_no_deviation_open_and_closes_the_batch() {
    let story = Story::received("-120", true);
    assert_eq!(
        code(decide_infusion(&story.batch(), infusion(), now())),
        "bedside_check_required"
    );
    let mut story = Story::checked();
    let backwards = custody::Infusion {
        infusion_ended_at: now() - Duration::minutes(4),
        ..infusion()
    };
    assert_eq!(
        code(decide_infusion(&story.batch(), backwards, now())),
        "invalid_time"
    );
    let no_bags = custody::Infusion {
        bags: 0,
        ..infusion()
    };
    assert_eq!(
        code(decide_infusion(&story.batch(), no_bags, now())),
        "invalid_bags"
    );
    let infused = decide_infusion(&story.batch(), infusion(), now());
    story.accept("nurse", infused);
    let batch = story.batch();
    assert_eq!(batch.state(&template()), BatchState::Infused);
    let raised = supervision::decide_raise(&batch, &template(), "late thought", None);
    assert_eq!(code(raised), "batch_infused");
    assert_eq!(
        code(decide_infusion(&batch, infusion(), now())),
        "batch_infused"
    );
    let hold = supervision::decide_course(&batch, supervision::Course::Hold, "why");
    assert_eq!(code(hold), "batch_infused");
}

/// Covers: GMP-CUS-4
#[test]
fn follow_up_runs_from_infusion_for_fifteen_years() {
    let visit = |date: &str, grade: u8| Visit {
        visit_date: date.parse().expect("date"),
        disease_status: "SLEDAI-2K 0, drug-free remission".into(),
        immunosuppression: "none".into(),
        adverse_events: vec![AdverseEvent {
            term: "Neutropenia".into(),
            grade,
        }],
        secondary_malignancy: false,
        notes: None,
    };
    let today = now().date_naive();
    let story = Story::checked();
    assert_eq!(
        code(decide_follow_up(
            &story.batch(),
            visit("2026-11-25", 2),
            today
        )),
        "not_infused"
    );
    let mut story = Story::checked();
    let infused = decide_infusion(&story.batch(), infusion(), now());
    story.accept("nurse", infused);
    let batch = story.batch();
    assert!(decide_follow_up(&batch, visit("2026-11-25", 2), today).is_ok());
    assert_eq!(
        code(decide_follow_up(&batch, visit("2026-11-24", 2), today)),
        "invalid_visit_date"
    );
    assert_eq!(
        code(decide_follow_up(&batch, visit("2026-11-25", 6), today)),
        "invalid_adverse_event"
    );
    let much_later = NaiveDate::from_ymd_opt(2042, 1, 1).expect("date");
    assert_eq!(
        code(decide_follow_up(&batch, visit("2041-11-26", 1), much_later)),
        "follow_up_period_over"
    );
    assert!(decide_follow_up(&batch, visit("2041-11-25", 1), much_later).is_ok());
}

/// Covers: GMP-REL-2
#[test]
fn the_review_lists_every_exception_with_its_entry() {
    let mut story = Story::manufactured();
    story
        .qc("viability", "55", None)
        .qc("viability", "75", Some("re-test after lab error"))
        .verify_qc("viability");
    let review = review(&story.batch(), &template(), &context());
    let kinds: Vec<ExceptionKind> = review.exceptions.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&ExceptionKind::Oos), "{kinds:?}");
    assert!(kinds.contains(&ExceptionKind::MissingResult), "{kinds:?}");
    let oos = review
        .exceptions
        .iter()
        .find(|e| e.kind == ExceptionKind::Oos)
        .expect("oos");
    assert!(oos.description.contains("re-tested since"));
    assert_eq!(oos.seq, Some(story.batch().qc_results[0].entry.seq));
    assert!(!review.ready());
    assert!(
        review.reasons.iter().any(|r| r.contains("sterility")),
        "{:?}",
        review.reasons
    );
}

/// Covers: GMP-REL-2, GMP-MAT-5
#[test]
fn a_lot_rejected_after_use_and_a_late_entry_show_in_the_review() {
    use crate::domain::material::{Lot, LotRegistered, LotStatus};
    use crate::domain::template::FieldValue;
    let mut story = Story::new();
    let stated = (now() - Duration::hours(3)).to_rfc3339();
    story.add(
        "op1",
        BatchEvent::StepRecorded(StepRecorded {
            step_id: "harvest".into(),
            record: 1,
            values: BTreeMap::from([
                (
                    "medium".to_owned(),
                    FieldValue::MaterialLot("L000001".into()),
                ),
                ("at".to_owned(), FieldValue::Datetime(stated)),
            ]),
            coi_confirmed: false,
        }),
    );
    let lot = |status| Lot {
        registered: LotRegistered {
            lot_id: "L000001".into(),
            material: "culture_medium".into(),
            lot_number: "M1".into(),
            supplier: "S".into(),
            expiry: NaiveDate::from_ymd_opt(2027, 1, 1).expect("date"),
            certificate: None,
        },
        status,
    };
    let batch = story.batch();
    assert_eq!(lots_used(&batch), vec!["L000001".to_owned()]);
    let kinds = |status| {
        let context = ReviewContext {
            lots: BTreeMap::from([("L000001".to_owned(), Some(lot(status)))]),
            late_after: Duration::minutes(60),
        };
        review(&batch, &template(), &context)
            .exceptions
            .iter()
            .map(|e| e.kind)
            .collect::<Vec<_>>()
    };
    assert!(kinds(LotStatus::Rejected).contains(&ExceptionKind::RejectedLot));
    assert!(!kinds(LotStatus::Released).contains(&ExceptionKind::RejectedLot));
    assert!(kinds(LotStatus::Released).contains(&ExceptionKind::LateEntry));
}

// Regressions of an independent review: each of these was possible once.

/// Covers: GMP-SOD-3
#[test]
fn the_physician_who_asked_never_certifies_the_exceptional_release() {
    let mut story = Story::tested("55");
    let decided = decide_physician_request(&story.batch(), "no alternative", true);
    story.accept("dr_qp", decided);
    let release = decide_release(
        &story.batch(),
        &template(),
        ReleaseDecision::ReleasedExceptionally,
        Some("physician asked"),
        "dr_qp",
    );
    assert_eq!(code(release), "qp_took_part");
}

/// Covers: GMP-SOD-4
#[test]
fn whoever_tested_the_batch_never_makes_it_and_a_maker_never_tests_it() {
    let mut story = Story::new();
    story.add(
        "op1",
        BatchEvent::StepRecorded(StepRecorded {
            step_id: "harvest".into(),
            record: 1,
            values: BTreeMap::new(),
            coi_confirmed: false,
        }),
    );
    let dual = Roles::new([Role::QcAnalyst, Role::Operator]).expect("roles");
    let qc = decide_qc_record(
        &story.batch(),
        &template(),
        "viability",
        ("92", None),
        ("dual", &dual),
    );
    story.accept("dual", qc);
    let verify = super::decide::decide_verify(
        &story.batch(),
        &template(),
        "harvest",
        None,
        ("dual", &dual),
    );
    assert_eq!(code(verify), "tested_batch");
    // Had it happened (a ledger written before this rule), release is still blocked.
    story.add(
        "dual",
        BatchEvent::StepVerified(StepVerified {
            step_id: "harvest".into(),
            record: 1,
        }),
    );
    story
        .verify_qc("viability")
        .qc("sterility", "no growth", None)
        .verify_qc("sterility");
    assert_eq!(
        code(story.release(ReleaseDecision::Released, None)),
        "qc_not_independent"
    );
}

/// Covers: GMP-QC-2
#[test]
fn a_retest_never_tests_an_oos_batch_into_compliance() {
    let mut story = Story::manufactured();
    story
        .qc("viability", "40", None)
        .verify_qc("viability")
        .qc("viability", "71", Some("again"))
        .verify_qc("viability")
        .qc("sterility", "no growth", None)
        .verify_qc("sterility");
    assert_eq!(
        code(story.release(ReleaseDecision::Released, None)),
        "out_of_specification"
    );
    let request = decide_physician_request(&story.batch(), "refractory disease", true);
    story.accept("doctor", request);
    let named = &story.batch().physician_requests[0].request.oos_results;
    assert_eq!((named.len(), named[0].result.as_str()), (1, "40"));
}

/// Covers: GMP-CUS-3
#[test]
fn a_new_shipment_leg_voids_the_bedside_check_made_before_it() {
    let mut story = Story::checked();
    let leg = Dispatch {
        dispatched_at: now() - Duration::minutes(8),
        ..dispatch()
    };
    let decided = decide_dispatch(&story.batch(), leg, now());
    story.accept("op1", decided);
    let arrival = Receipt {
        received_at: now() - Duration::minutes(6),
        ..receipt("-170", true)
    };
    for event in decide_receive(&story.batch(), &template(), 2, arrival, now()).expect("received") {
        story.add("other_ward_nurse", event);
    }
    assert_eq!(
        code(decide_infusion(&story.batch(), infusion(), now())),
        "bedside_check_required"
    );
}

/// Covers: GMP-CUS-4
#[test]
fn the_infusion_never_starts_before_the_bedside_check() {
    let batch = Story::checked().batch();
    let witnessed: DateTime<Utc> = batch.bedside_checks[0]
        .witnessed
        .as_ref()
        .expect("witnessed")
        .at
        .parse()
        .expect("time");
    let early = custody::Infusion {
        thaw_started_at: witnessed - Duration::minutes(20),
        infusion_started_at: witnessed - Duration::minutes(10),
        infusion_ended_at: witnessed - Duration::minutes(8),
        ..infusion()
    };
    assert_eq!(code(decide_infusion(&batch, early, now())), "invalid_time");
}

/// Covers: GMP-SOD-3
#[test]
fn a_qp_who_did_qa_work_on_the_batch_never_certifies_it() {
    let mut story = Story::tested("92");
    let raised = supervision::decide_raise(&story.batch(), &template(), "smudge", None);
    story.accept("qa_qp", raised);
    let classified = supervision::decide_classify(&story.batch(), 1, Classification::Minor);
    story.accept("qa_qp", classified);
    let closed = supervision::decide_close(&story.batch(), 1, "looked", "ink", "CAPA-1");
    story.accept("qa_qp", closed);
    let decided = decide_release(
        &story.batch(),
        &template(),
        ReleaseDecision::Released,
        None,
        "qa_qp",
    );
    assert_eq!(code(decided), "qp_took_part");
}

/// Covers: GMP-REL-2
#[test]
fn a_lifted_hold_stays_in_the_review_with_its_entry() {
    let mut story = Story::manufactured();
    let hold = supervision::decide_course(
        &story.batch(),
        supervision::Course::Hold,
        "suspected contamination",
    );
    story.accept("qa", hold);
    let resume = supervision::decide_course(&story.batch(), supervision::Course::Resume, "ok");
    story.accept("qa", resume);
    let review = review(&story.batch(), &template(), &context());
    let hold = review
        .exceptions
        .iter()
        .find(|e| e.kind == ExceptionKind::Hold)
        .expect("the hold is listed");
    assert!(hold.description.contains("suspected contamination") && hold.seq.is_some());
}

/// Covers: GMP-REL-4
#[test]
fn nothing_is_added_to_manufacturing_once_the_qp_has_decided() {
    let repeatable = Template::parse(
        TEMPLATE
            .replace("\"repeatable\": false", "\"repeatable\": true")
            .as_bytes(),
    )
    .expect("parses");
    let story = Story::received("-170", true);
    let op = roles(Role::Operator);
    let mut values = serde_json::Map::new();
    values.insert(
        "note".into(),
        serde_json::json!("another harvest after shipment"),
    );
    let outcome = super::decide::decide_record(
        &story.batch(),
        &repeatable,
        super::decide::RecordStep {
            step_id: "harvest".into(),
            values,
            coi: None,
        },
        ("op1", &op),
        &super::decide::Resources::default(),
        now().date_naive(),
    );
    assert_eq!(code(outcome), "already_decided");
}

/// Covers: GMP-CUS-3
#[test]
fn an_unreadable_identifier_at_the_bedside_is_recorded_and_voids_the_check() {
    let mut story = Story::received("-170", true);
    let Ok(Outcome::Record(events)) = story.bedside(&coi(7), BedsideRole::Checker, "nurse") else {
        panic!("refused")
    };
    story.add("nurse", events[0].clone());
    let patient = coi(7).as_str().to_owned();
    let outcome = decide_bedside_check(
        &story.batch(),
        ("LABEL-FROM-ELSEWHERE", &patient),
        BedsideRole::Witness,
        "doctor",
    );
    let Ok(Outcome::RefuseAndRecord(recorded, refusal)) = outcome else {
        panic!("an unreadable label is refused and recorded")
    };
    assert_eq!(refusal.code, "invalid_coi");
    story.add("doctor", recorded[0].clone());
    assert!(story.batch().bedside_checks[0].voided);
}

/// A write applies what it appended to the fold it decided on: from any point of the stream,
/// extending event by event gives what a fold of the whole stream gives.
#[test]
fn extending_a_fold_gives_the_fold_of_the_whole_stream() {
    let story = Story::checked();
    let whole = story.batch();
    for split in 1..story.events.len() {
        let (first, rest) = story.events.split_at(split);
        let mut batch = Batch::fold(first).expect("folds").expect("a batch");
        for recorded in rest {
            batch.extend(recorded);
        }
        assert_eq!(batch, whole, "extended from event {split}");
    }
}
