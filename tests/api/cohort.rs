//! A whole cohort through HTTP: eight batches from apheresis to infusion, made by two
//! operators, tested by two QC analysts, overseen by QA, certified by a QP and infused by two
//! clinicians; one with an out-of-range value, one out of specification, one rejected. The
//! ledger verifies and the projections rebuilt from it equal the live ones.

use serde_json::{json, Value};

use crate::batch_support::{record, verify, STEPS};
use crate::helpers::{spawn_app, TestApp, TestUser};
use crate::release_support::{
    close_deviation, decide, expect_refused, expect_status, expect_success, follow_up, infuse,
    new_batch, physician_request, qc_result, receive, record_qc, ship, team, two_person_check,
    view, Team,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Clean,
    OutOfRange,
    OutOfSpecification,
    Rejected,
}

/// Every step, `first` performing the even ones and `second` the odd ones, each verified by
/// the other; the apheresis receipt with these values.
async fn manufacture(
    app: &TestApp,
    team: &Team,
    (first, second): (&TestUser, &TestUser),
    (batch, coi): (&str, &str),
    receipt: Value,
) -> Value {
    let mut last = Value::Null;
    for (i, step) in STEPS.iter().enumerate() {
        let (performer, verifier) = if i % 2 == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let values = if i == 0 {
            receipt.clone()
        } else {
            team.site.values(step)
        };
        let recorded = record(app, performer, batch, step, values, Some(coi)).await;
        last = expect_status(recorded, 201, &format!("{batch} {step}")).await;
        if *step != "expansion" {
            last = expect_status(
                verify(app, verifier, batch, step).await,
                200,
                &format!("{batch} verify {step}"),
            )
            .await;
        }
    }
    last
}

async fn batch_list(app: &TestApp, who: &TestUser) -> Value {
    expect_status(
        app.get("/api/v1/batches", Some(&who.token)).await,
        200,
        "batch list",
    )
    .await
}

/// Covers: GMP-BAT-4
#[tokio::test]
async fn a_cohort_of_eight_batches_goes_from_apheresis_to_infusion_with_each_exception_handled() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let site = &team.site;
    let plan = [
        Course::Clean,
        Course::OutOfRange,
        Course::Clean,
        Course::OutOfSpecification,
        Course::Clean,
        Course::Rejected,
        Course::Clean,
        Course::Clean,
    ];
    let mut batches = Vec::new();
    for (i, course) in plan.into_iter().enumerate() {
        let (batch, coi) = new_batch(&app, &team).await;
        let (operators, analysts, clinicians) = if i % 2 == 0 {
            (
                (&site.op1, &site.op2),
                (&team.qc1, &team.qc2),
                (&team.cl1, &team.cl2),
            )
        } else {
            (
                (&site.op2, &site.op1),
                (&team.qc2, &team.qc1),
                (&team.cl2, &team.cl1),
            )
        };
        let mut receipt = site.values("apheresis_receipt");
        if course == Course::OutOfRange {
            receipt["transport_temperature"] = json!("11.5");
        }
        let made = manufacture(&app, &team, operators, (&batch, &coi), receipt).await;
        assert_eq!(made["state"], "qc_pending", "{batch}: {made}");
        let deviations = made["deviations"].as_array().expect("deviations");
        if course == Course::OutOfRange {
            assert_eq!(deviations.len(), 1, "{made}");
            assert_eq!(deviations[0]["automatic"], true);
            assert_eq!(deviations[0]["field_id"], "transport_temperature");
        } else {
            assert!(deviations.is_empty(), "{made}");
        }

        let results: &[(&str, &str)] = match course {
            Course::OutOfSpecification => &[("vector_copy_number", "6.2")],
            Course::Rejected => &[("sterility", "growth")],
            _ => &[],
        };
        let tested = record_qc(&app, analysts, &batch, results).await;
        assert_eq!(tested["state"], "awaiting_release", "{tested}");

        match course {
            Course::Clean => {}
            Course::OutOfRange => {
                expect_refused(
                    decide(&app, &team.qp, &batch, "released", None).await,
                    409,
                    "open_deviation",
                    &batch,
                )
                .await;
                let closed = close_deviation(&app, &site.qa, &batch, 1).await;
                assert_eq!(closed["deviations"][0]["state"], "closed");
            }
            Course::OutOfSpecification => {
                expect_refused(
                    decide(&app, &team.qp, &batch, "released", None).await,
                    409,
                    "out_of_specification",
                    &batch,
                )
                .await;
                let requested = physician_request(
                    &app,
                    clinicians.0,
                    &batch,
                    "refractory disease, no other option; VCN 6.2 discussed with the family",
                    true,
                )
                .await;
                expect_status(requested, 201, "physician request").await;
            }
            Course::Rejected => {
                let rejected = decide(
                    &app,
                    &team.qp,
                    &batch,
                    "rejected",
                    Some("sterility failure: growth at day 7"),
                )
                .await;
                let rejected = expect_status(rejected, 200, "rejection").await;
                assert_eq!(rejected["state"], "rejected");
                expect_refused(
                    ship(&app, operators.0, &batch).await,
                    409,
                    "batch_rejected",
                    "shipment of a rejected batch",
                )
                .await;
                expect_refused(
                    qc_result(
                        &app,
                        analysts.0,
                        &batch,
                        "sterility",
                        "no growth",
                        Some("re-test"),
                    )
                    .await,
                    409,
                    "batch_rejected",
                    "re-test of a rejected batch",
                )
                .await;
                batches.push((batch, course));
                continue;
            }
        }
        let decision = if course == Course::OutOfSpecification {
            "released_exceptionally"
        } else {
            "released"
        };
        let justification = (course == Course::OutOfSpecification)
            .then_some("physician informed of the VCN result and the risk; no alternative");
        let certified = expect_status(
            decide(&app, &team.qp, &batch, decision, justification).await,
            200,
            &format!("{batch} {decision}"),
        )
        .await;
        assert_eq!(certified["state"], decision);
        assert_eq!(
            certified["release"]["decided_by"],
            team.qp.username.as_str()
        );
        if course == Course::OutOfSpecification {
            let requests = certified["physician_requests"]
                .as_array()
                .expect("requests");
            assert_eq!(requests.len(), 1, "{certified}");
            assert_eq!(requests[0]["requested_by"], clinicians.0.username.as_str());
            assert_eq!(
                requests[0]["oos_results"][0]["test_id"],
                "vector_copy_number"
            );
            assert_eq!(
                certified["release"]["physician_request_seq"],
                requests[0]["seq"]
            );
            assert_eq!(
                certified["release"]["justification"],
                justification.expect("given")
            );
        }

        expect_status(ship(&app, operators.0, &batch).await, 201, "shipment").await;
        let arrived = expect_success(receive(&app, clinicians.0, &batch, 1).await, "receipt").await;
        assert_eq!(arrived["state"], "received");
        two_person_check(&app, clinicians, &batch, &coi).await;
        let done = expect_status(infuse(&app, clinicians.1, &batch).await, 201, "infusion").await;
        assert_eq!(done["state"], "infused", "{done}");
        assert_eq!(
            done["infusion"]["recorded_by"],
            clinicians.1.username.as_str()
        );
        if i == 0 {
            let visited = expect_status(
                follow_up(&app, clinicians.0, &batch).await,
                201,
                "follow-up",
            )
            .await;
            assert_eq!(visited["follow_ups"].as_array().map(Vec::len), Some(1));
        }
        batches.push((batch, course));
    }

    // Every batch where it should be, with the people who did each part.
    let listed = batch_list(&app, &auditor).await;
    let mut states: Vec<(String, String)> = listed["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|b| {
            (
                b["batch_number"].as_str().unwrap_or_default().to_owned(),
                b["state"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    states.sort();
    let mut expected: Vec<(String, String)> = batches
        .iter()
        .map(|(batch, course)| {
            let state = if *course == Course::Rejected {
                "rejected"
            } else {
                "infused"
            };
            (batch.clone(), state.to_owned())
        })
        .collect();
    expected.sort();
    assert_eq!(states, expected);
    let mut views = Vec::new();
    for (batch, _) in &batches {
        views.push(view(&app, &auditor, batch).await);
    }
    let people = |field: &str| -> Vec<String> {
        let mut names: Vec<String> = views
            .iter()
            .flat_map(|v| v["qc_results"].as_array().cloned().unwrap_or_default())
            .filter_map(|r| r[field].as_str().map(str::to_owned))
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let mut analysts = vec![team.qc1.username.clone(), team.qc2.username.clone()];
    analysts.sort();
    assert_eq!(people("recorded_by"), analysts);
    assert_eq!(people("verified_by"), analysts);

    // The ledger verifies, over HTTP and at the console.
    let report = expect_status(
        app.get("/api/v1/ledger/verify", Some(&auditor.token)).await,
        200,
        "ledger verify",
    )
    .await;
    assert_eq!(report["ok"], true, "{report}");
    let verified = app.run_cli(&["verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // Projections rebuilt from the ledger equal the live ones.
    let rebuilt = app.run_cli(&["rebuild-projections"]);
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert_eq!(batch_list(&app, &auditor).await, listed);
    for ((batch, _), before) in batches.iter().zip(&views) {
        assert_eq!(&view(&app, &auditor, batch).await, before, "{batch}");
    }
    let again = app.run_cli(&["verify"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}
