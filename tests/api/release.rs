//! QC results judged against the specification, the QP's review by exception, and the three
//! decisions of certification, each rule refused with its problem code, through HTTP.

use serde_json::{json, Value};

use crate::batch_support::{record, run_until};
use crate::helpers::{spawn_app, TestApp};
use crate::release_support::{
    close_deviation, confirm_correction, correct, decide, decide_as, exception_kinds,
    expect_refused, expect_status, hold, manufacture_with_first, manufactured, new_batch,
    physician_request, qc_result, qc_verify, raise_deviation, record_qc, review, ship, team,
    tested, view, PASSING,
};

/// Covers: GMP-REL-1, A11-6
#[tokio::test]
async fn release_waits_for_every_qc_result_and_its_second_analyst() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = manufactured(&app, &team).await;
    assert_eq!(view(&app, &team.qp, &batch).await["state"], "qc_pending");
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "qc_incomplete",
        "no QC result at all",
    )
    .await;
    // Every test but the last, recorded and verified.
    for (test_id, result) in &PASSING[..11] {
        expect_status(
            qc_result(&app, &team.qc1, &batch, test_id, result, None).await,
            201,
            test_id,
        )
        .await;
        expect_status(
            qc_verify(&app, &team.qc2, &batch, test_id).await,
            200,
            test_id,
        )
        .await;
    }
    let body = expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "qc_incomplete",
        "one result missing",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("rcl"),
        "the refusal names the missing test: {body}"
    );
    let recorded = expect_status(
        qc_result(&app, &team.qc1, &batch, "rcl", "not detected", None).await,
        201,
        "rcl",
    )
    .await;
    assert_eq!(
        recorded["state"], "qc_pending",
        "a result is not verified yet"
    );
    let rcl = recorded["qc_results"]
        .as_array()
        .expect("qc_results")
        .iter()
        .find(|r| r["test_id"] == "rcl")
        .cloned()
        .expect("rcl listed");
    assert_eq!(rcl["verdict"], "pass");
    assert_eq!(rcl["attempt"], 1);
    assert_eq!(rcl["current"], true);
    assert_eq!(rcl["recorded_by"], team.qc1.username.as_str());
    assert!(rcl["verified_by"].is_null(), "{rcl}");
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "qc_incomplete",
        "one result unverified",
    )
    .await;
    let verified = expect_status(qc_verify(&app, &team.qc2, &batch, "rcl").await, 200, "rcl").await;
    assert_eq!(verified["state"], "awaiting_release");
    assert_eq!(
        verified["qc_results"].as_array().map(Vec::len),
        Some(12),
        "{verified}"
    );
    // The signature's meaning is the decision.
    expect_refused(
        decide_as(&app, &team.qp, &batch, "released", None, "approved").await,
        422,
        "wrong_meaning",
        "released signed as approved",
    )
    .await;
    let response = decide(&app, &team.qp, &batch, "released", None).await;
    let etag = response.headers().get("etag").cloned();
    let released = expect_status(response, 200, "release").await;
    assert!(etag.is_some(), "a decision answers with the record's ETag");
    assert_eq!(released["state"], "released");
    let release = &released["release"];
    assert_eq!(release["decision"], "released");
    assert_eq!(release["decided_by"], team.qp.username.as_str());
    assert!(release["seq"].as_i64().is_some(), "{release}");
    assert!(release["justification"].is_null(), "{release}");
    expect_refused(
        decide(&app, &team.qp, &batch, "rejected", Some("second thoughts")).await,
        409,
        "already_decided",
        "a second decision",
    )
    .await;
    expect_refused(
        qc_result(
            &app,
            &team.qc1,
            &batch,
            "potency",
            "900",
            Some("late result"),
        )
        .await,
        409,
        "already_decided",
        "a QC result after the decision",
    )
    .await;
}

fn result_of<'v>(view: &'v Value, test_id: &str, attempt: i64) -> &'v Value {
    view["qc_results"]
        .as_array()
        .expect("qc_results")
        .iter()
        .find(|r| r["test_id"] == test_id && r["attempt"] == attempt)
        .unwrap_or_else(|| panic!("{test_id} attempt {attempt} in {view}"))
}

/// Covers: GMP-QC-1, GMP-QC-2
#[tokio::test]
async fn qc_results_are_judged_against_the_specification_and_an_oos_is_retested_as_a_new_result() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, coi) = new_batch(&app, &team).await;
    run_until(&app, &team.site, &batch, &coi, "cryopreservation").await;
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "viability", "92.5", None).await,
        409,
        "manufacturing_incomplete",
        "before cryopreservation",
    )
    .await;
    // Recorded is enough to start testing; the verification can follow.
    let frozen = record(
        &app,
        &team.site.op2,
        &batch,
        "cryopreservation",
        team.site.values("cryopreservation"),
        Some(&coi),
    )
    .await;
    expect_status(frozen, 201, "cryopreservation").await;
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "hla_typing", "A*02:01", None).await,
        404,
        "qc_test_not_found",
        "unknown test",
    )
    .await;
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "viability", "ninety", None).await,
        422,
        "invalid_result",
        "a word for a range",
    )
    .await;
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "potency", "high", None).await,
        422,
        "invalid_result",
        "a word for a reported number",
    )
    .await;
    let low = expect_status(
        qc_result(&app, &team.qc1, &batch, "viability", "55", None).await,
        201,
        "viability 55",
    )
    .await;
    let first = result_of(&low, "viability", 1);
    assert_eq!(first["verdict"], "oos");
    assert_eq!(first["result"], "55");
    assert_eq!(first["current"], true);
    expect_refused(
        qc_verify(&app, &team.qc1, &batch, "viability").await,
        403,
        "self_verification",
        "the analyst verifies their own result",
    )
    .await;
    let verified = expect_status(
        qc_verify(&app, &team.qc2, &batch, "viability").await,
        200,
        "verify viability",
    )
    .await;
    let first = result_of(&verified, "viability", 1);
    assert_eq!(first["verified_by"], team.qc2.username.as_str());
    assert!(first["verified_at"].as_str().is_some(), "{first}");
    expect_refused(
        qc_verify(&app, &team.qc2, &batch, "viability").await,
        409,
        "already_verified",
        "verified twice",
    )
    .await;
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "viability", "91", None).await,
        422,
        "retest_reason_required",
        "a re-test without its reason",
    )
    .await;
    let retested = expect_status(
        qc_result(
            &app,
            &team.qc2,
            &batch,
            "viability",
            "91",
            Some("lab investigation LI-2026-12: sample thawed twice; re-test on the retained vial"),
        )
        .await,
        201,
        "re-test",
    )
    .await;
    let (first, second) = (
        result_of(&retested, "viability", 1),
        result_of(&retested, "viability", 2),
    );
    assert_eq!(
        (first["verdict"].as_str(), first["current"].as_bool()),
        (Some("oos"), Some(false)),
        "the OOS result stays on the record: {first}"
    );
    assert_eq!(
        (second["verdict"].as_str(), second["current"].as_bool()),
        (Some("pass"), Some(true))
    );
    assert!(second["comment"]
        .as_str()
        .unwrap_or_default()
        .contains("LI-2026-12"));
    assert!(second["verified_by"].is_null(), "{second}");
    expect_refused(
        qc_result(&app, &team.qc1, &batch, "viability", "93", Some("again")).await,
        409,
        "result_already_recorded",
        "a second result for a test that passed",
    )
    .await;
    // Each kind of specification: expected text (trimmed, any case), range bounds exactly,
    // pass/fail, reported numbers.
    let cases = [
        ("appearance", "  As Expected, No Clumps ", "pass"),
        ("sterility", "growth", "oos"),
        ("vector_copy_number", "5", "pass"),
        ("endotoxin", "5.01", "oos"),
        ("cd3_identity", "79.99", "oos"),
        ("potency", "850", "reported"),
    ];
    for (test_id, result, verdict) in cases {
        let recorded = expect_status(
            qc_result(&app, &team.qc1, &batch, test_id, result, None).await,
            201,
            test_id,
        )
        .await;
        assert_eq!(
            result_of(&recorded, test_id, 1)["verdict"],
            verdict,
            "{test_id} {result}"
        );
    }
}

/// Covers: GMP-REL-1
#[tokio::test]
async fn release_is_refused_while_a_deviation_is_open_until_qa_closes_it() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = tested(&app, &team).await;
    let raised = expect_status(
        raise_deviation(
            &app,
            &team.site.op2,
            &batch,
            "storage tank alarm for 10 minutes during storage",
        )
        .await,
        201,
        "deviation",
    )
    .await;
    assert_eq!(raised["deviations"][0]["state"], "open");
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "open_deviation",
        "open deviation",
    )
    .await;
    let before = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(before["ready"], false, "{before}");
    assert_eq!(before["decisions"], json!(["rejected"]));
    assert!(exception_kinds(&before).contains(&"deviation".to_owned()));
    close_deviation(&app, &team.site.qa, &batch, 1).await;
    let after = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(after["ready"], true, "{after}");
    assert_eq!(
        after["exceptions"]
            .as_array()
            .expect("exceptions")
            .iter()
            .filter(|e| e["kind"] == "deviation")
            .count(),
        1,
        "a closed deviation is still shown to the QP: {after}"
    );
    let released = expect_status(
        decide(&app, &team.qp, &batch, "released", None).await,
        200,
        "release",
    )
    .await;
    assert_eq!(released["state"], "released");
}

/// Covers: GMP-REL-1
#[tokio::test]
async fn release_is_refused_while_a_correction_awaits_verification_or_qa_approval() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let second_qa = app.user_with_roles(&["qa"]).await;
    let (batch, _) = tested(&app, &team).await;
    let corrected = correct(
        &app,
        &team.site.qa,
        &batch,
        ("volume", "245"),
        "bag weighed again before release",
    )
    .await;
    expect_status(corrected, 201, "correction").await;
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "correction_pending",
        "awaiting verification",
    )
    .await;
    expect_status(
        confirm_correction(&app, &team.site.op2, &batch, 1, "verify").await,
        200,
        "verify correction",
    )
    .await;
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "correction_pending",
        "awaiting QA's approval",
    )
    .await;
    let pending = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(pending["ready"], false);
    assert!(exception_kinds(&pending).contains(&"correction".to_owned()));
    expect_status(
        confirm_correction(&app, &second_qa, &batch, 1, "approve").await,
        200,
        "approve correction",
    )
    .await;
    let released = expect_status(
        decide(&app, &team.qp, &batch, "released", None).await,
        200,
        "release",
    )
    .await;
    assert_eq!(released["state"], "released");
}

/// Covers: GMP-SOD-3
#[tokio::test]
async fn a_qp_who_performed_a_step_or_recorded_a_qc_result_cannot_certify_the_batch() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let operator_qp = app.user_with_roles(&["operator", "qp"]).await;
    let analyst_qp = app.user_with_roles(&["qc_analyst", "qp"]).await;
    let (batch, coi) = new_batch(&app, &team).await;
    manufacture_with_first(&app, &team.site, &operator_qp, &batch, &coi).await;
    expect_status(
        qc_result(
            &app,
            &analyst_qp,
            &batch,
            "appearance",
            "as expected, no clumps",
            None,
        )
        .await,
        201,
        "appearance",
    )
    .await;
    expect_status(
        qc_verify(&app, &team.qc2, &batch, "appearance").await,
        200,
        "verify appearance",
    )
    .await;
    for (test_id, result) in &PASSING[1..] {
        expect_status(
            qc_result(&app, &team.qc1, &batch, test_id, result, None).await,
            201,
            test_id,
        )
        .await;
        expect_status(
            qc_verify(&app, &team.qc2, &batch, test_id).await,
            200,
            test_id,
        )
        .await;
    }
    for (who, what) in [
        (&operator_qp, "performed a step"),
        (&analyst_qp, "recorded QC"),
    ] {
        expect_refused(
            decide(&app, who, &batch, "released", None).await,
            403,
            "qp_took_part",
            what,
        )
        .await;
        expect_refused(
            decide(&app, who, &batch, "rejected", Some("not mine to judge")).await,
            403,
            "qp_took_part",
            what,
        )
        .await;
    }
    let released = expect_status(
        decide(&app, &team.qp, &batch, "released", None).await,
        200,
        "release by an independent QP",
    )
    .await;
    assert_eq!(released["release"]["decided_by"], team.qp.username.as_str());
}

/// Covers: GMP-SOD-4
#[tokio::test]
async fn a_qc_analyst_who_made_the_batch_neither_records_nor_verifies_its_results() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let operator_analyst = app.user_with_roles(&["operator", "qc_analyst"]).await;
    let (batch, coi) = new_batch(&app, &team).await;
    manufacture_with_first(&app, &team.site, &operator_analyst, &batch, &coi).await;
    expect_refused(
        qc_result(&app, &operator_analyst, &batch, "viability", "92.5", None).await,
        403,
        "analyst_made_batch",
        "record",
    )
    .await;
    expect_status(
        qc_result(&app, &team.qc1, &batch, "viability", "92.5", None).await,
        201,
        "viability by an independent analyst",
    )
    .await;
    expect_refused(
        qc_verify(&app, &operator_analyst, &batch, "viability").await,
        403,
        "analyst_made_batch",
        "verify",
    )
    .await;
    let unverified = view(&app, &team.qp, &batch).await;
    assert!(
        result_of(&unverified, "viability", 1)["verified_by"].is_null(),
        "{unverified}"
    );
}

/// Covers: GMP-REL-3
#[tokio::test]
async fn an_oos_batch_is_released_only_exceptionally_on_the_physicians_request() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = manufactured(&app, &team).await;
    let tested_view = record_qc(&app, (&team.qc1, &team.qc2), &batch, &[("viability", "55")]).await;
    assert_eq!(tested_view["state"], "awaiting_release");
    let oos_seq = result_of(&tested_view, "viability", 1)["seq"]
        .as_i64()
        .expect("seq");
    let before = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(before["ready"], false, "{before}");
    assert_eq!(before["decisions"], json!(["rejected"]));
    let oos = before["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .find(|e| e["kind"] == "oos")
        .cloned()
        .unwrap_or_else(|| panic!("an oos exception in {before}"));
    assert_eq!(oos["seq"], oos_seq);
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "out_of_specification",
        "normal release of an OOS batch",
    )
    .await;
    expect_refused(
        decide(
            &app,
            &team.qp,
            &batch,
            "released_exceptionally",
            Some("no alternative therapy"),
        )
        .await,
        409,
        "physician_request_missing",
        "exceptional release without the physician",
    )
    .await;
    let reason = "relapsed ALL, no alternative; viability 55 % accepted after discussion with \
                  the parents";
    let (status, _) = crate::helpers::problem(
        physician_request(&app, &team.site.op1, &batch, reason, true).await,
    )
    .await;
    assert_eq!(status, 403, "only a clinician requests");
    expect_refused(
        physician_request(&app, &team.cl1, &batch, reason, false).await,
        422,
        "risk_not_acknowledged",
        "risk not acknowledged",
    )
    .await;
    let requested = expect_status(
        physician_request(&app, &team.cl1, &batch, reason, true).await,
        201,
        "physician request",
    )
    .await;
    let request = &requested["physician_requests"][0];
    assert_eq!(request["requested_by"], team.cl1.username.as_str());
    assert_eq!(request["risk_acknowledged"], true);
    assert_eq!(request["reason"], reason);
    let named = request["oos_results"].as_array().expect("oos_results");
    assert_eq!(named.len(), 1, "{request}");
    assert_eq!(
        (
            named[0]["test_id"].as_str(),
            named[0]["result"].as_str(),
            named[0]["seq"].as_i64()
        ),
        (Some("viability"), Some("55"), Some(oos_seq))
    );
    let request_seq = request["seq"].as_i64().expect("seq");
    let after = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(after["ready"], false, "released stays impossible: {after}");
    assert_eq!(
        after["decisions"],
        json!(["released_exceptionally", "rejected"])
    );
    expect_refused(
        decide(&app, &team.qp, &batch, "released", None).await,
        409,
        "out_of_specification",
        "normal release after the request",
    )
    .await;
    expect_refused(
        decide(&app, &team.qp, &batch, "released_exceptionally", None).await,
        422,
        "justification_required",
        "without justification",
    )
    .await;
    expect_refused(
        decide_as(
            &app,
            &team.qp,
            &batch,
            "released_exceptionally",
            Some("x"),
            "released",
        )
        .await,
        422,
        "wrong_meaning",
        "signed as released",
    )
    .await;
    let justification = "EudraLex Vol 4 Part IV 11.5: treating physician informed of the OOS \
                         viability and its risk; no alternative product";
    let decided = expect_status(
        decide(
            &app,
            &team.qp,
            &batch,
            "released_exceptionally",
            Some(justification),
        )
        .await,
        200,
        "exceptional release",
    )
    .await;
    assert_eq!(decided["state"], "released_exceptionally");
    let release = &decided["release"];
    assert_eq!(release["decision"], "released_exceptionally");
    assert_eq!(release["justification"], justification);
    assert_eq!(release["decided_by"], team.qp.username.as_str());
    assert_eq!(release["physician_request_seq"], request_seq);
    // An exceptionally released batch is shipped like any released one.
    expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    assert_link_followed_by(&app, &team.qp, &oos).await;
}

/// The exception's link is the path of its entry's signatures, which the QP reading the review
/// may open.
async fn assert_link_followed_by(app: &TestApp, qp: &crate::helpers::TestUser, exception: &Value) {
    let seq = exception["seq"].as_i64().expect("seq");
    let link = exception["link"].as_str().unwrap_or_default();
    assert_eq!(
        link,
        format!("/api/v1/ledger/entries/{seq}/signatures"),
        "{exception}"
    );
    let followed = app.get(link, Some(&qp.token)).await;
    assert_eq!(followed.status(), 200, "the QP follows {link}");
}

/// Covers: GMP-REL-3
#[tokio::test]
async fn a_batch_within_specification_has_nothing_to_request_or_release_exceptionally() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = tested(&app, &team).await;
    expect_refused(
        physician_request(&app, &team.cl1, &batch, "just in case", true).await,
        409,
        "not_out_of_specification",
        "request without OOS",
    )
    .await;
    expect_refused(
        decide(
            &app,
            &team.qp,
            &batch,
            "released_exceptionally",
            Some("to be safe"),
        )
        .await,
        409,
        "not_out_of_specification",
        "exceptional release without OOS",
    )
    .await;
}

/// Covers: GMP-REL-4
#[tokio::test]
async fn a_rejected_batch_is_closed_to_every_write() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, _) = manufactured(&app, &team).await;
    expect_status(
        qc_result(&app, &team.qc1, &batch, "sterility", "growth", None).await,
        201,
        "sterility",
    )
    .await;
    // Rejection needs no complete record, only its reason.
    expect_refused(
        decide(&app, &team.qp, &batch, "rejected", None).await,
        422,
        "justification_required",
        "rejection without a reason",
    )
    .await;
    expect_refused(
        decide_as(&app, &team.qp, &batch, "rejected", Some("x"), "released").await,
        422,
        "wrong_meaning",
        "rejection signed as released",
    )
    .await;
    let justification = "sterility: growth in the BacT/ALERT aerobic bottle";
    let rejected = expect_status(
        decide(&app, &team.qp, &batch, "rejected", Some(justification)).await,
        200,
        "rejection",
    )
    .await;
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["release"]["decision"], "rejected");
    assert_eq!(rejected["release"]["justification"], justification);
    refuse_all_writes(&app, &team, &batch, "batch_rejected").await;
    let (status, body) =
        crate::helpers::problem(decide(&app, &team.qp, &batch, "released", None).await).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        ["already_decided", "batch_rejected"].contains(&body["code"].as_str().unwrap_or_default()),
        "{body}"
    );
    let listed: Value = app
        .get("/api/v1/batches?state=rejected", Some(&team.qp.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["batches"][0]["batch_number"], batch.as_str());
}

/// Every write before custody on a closed batch is refused with `code`.
pub async fn refuse_all_writes(
    app: &TestApp,
    team: &crate::release_support::Team,
    batch: &str,
    code: &str,
) {
    let site = &team.site;
    let mut day9 = site.values("expansion");
    day9["process_day"] = json!(9);
    let attempts = [
        (
            "QC result",
            qc_result(app, &team.qc1, batch, "viability", "92.5", Some("re-test")).await,
        ),
        (
            "QC verification",
            qc_verify(app, &team.qc2, batch, "sterility").await,
        ),
        (
            "deviation",
            raise_deviation(app, &site.op1, batch, "found later").await,
        ),
        ("hold", hold(app, &site.qa, batch).await),
        (
            "step record",
            record(app, &site.op1, batch, "expansion", day9, None).await,
        ),
        (
            "correction",
            correct(app, &site.qa, batch, ("volume", "249"), "re-weighed").await,
        ),
        (
            "physician request",
            physician_request(app, &team.cl1, batch, "please", true).await,
        ),
        ("shipment", ship(app, &site.op1, batch).await),
    ];
    for (what, response) in attempts {
        expect_refused(response, 409, code, what).await;
    }
}

/// Covers: GMP-REL-2
#[tokio::test]
async fn the_review_lists_every_exception_with_its_entry_and_says_when_release_is_possible() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let (batch, coi) = new_batch(&app, &team).await;
    let mut warm = team.site.values("apheresis_receipt");
    warm["transport_temperature"] = json!("11.5");
    expect_status(
        record(
            &app,
            &team.site.op1,
            &batch,
            "apheresis_receipt",
            warm,
            Some(&coi),
        )
        .await,
        201,
        "receipt",
    )
    .await;
    let incomplete = expect_status(review(&app, &team.qp, &batch).await, 200, "review").await;
    assert_eq!(incomplete["batch_number"], batch.as_str());
    assert_eq!(incomplete["state"], "in_process");
    assert_eq!(incomplete["ready"], false);
    assert_eq!(incomplete["decisions"], json!(["rejected"]));
    let reasons: Vec<&str> = incomplete["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().expect("text"))
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("selection_activation")),
        "{reasons:?}"
    );
    let kinds = exception_kinds(&incomplete);
    for kind in [
        "missing_step",
        "missing_verification",
        "missing_result",
        "out_of_range",
        "deviation",
    ] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} in {incomplete:#}");
    }
    assert_eq!(
        kinds.iter().filter(|k| *k == "missing_result").count(),
        12,
        "every QC test is missing"
    );
    // QA and auditors read the review too; an operator or a clinician does not.
    assert_eq!(review(&app, &team.site.qa, &batch).await.status(), 200);
    assert_eq!(review(&app, &auditor, &batch).await.status(), 200);
    for who in [&team.site.op1, &team.cl1] {
        let (status, body) = crate::helpers::problem(review(&app, who, &batch).await).await;
        assert_eq!(
            (status.as_u16(), body["code"].as_str()),
            (403, Some("forbidden"))
        );
    }
    // A complete, clean batch: ready, and what remains listed does not stop release.
    let (clean, _) = tested(&app, &team).await;
    let complete = expect_status(review(&app, &team.qp, &clean).await, 200, "review").await;
    assert_eq!(complete["state"], "awaiting_release");
    assert_eq!(complete["ready"], true, "{complete:#}");
    assert_eq!(complete["reasons"], json!([]));
    assert_eq!(complete["decisions"], json!(["released", "rejected"]));
    for kind in exception_kinds(&complete) {
        assert_eq!(kind, "late_entry", "only late entries remain: {complete:#}");
    }
    let released = expect_status(
        decide(&app, &team.qp, &clean, "released", None).await,
        200,
        "release",
    )
    .await;
    assert_eq!(released["state"], "released");
    let decided = expect_status(review(&app, &team.qp, &clean).await, 200, "review").await;
    assert_eq!(decided["ready"], false);
    assert_eq!(decided["decisions"], json!([]));
    // Every exception about an entry links to its signatures.
    for exception in incomplete["exceptions"].as_array().expect("exceptions") {
        if let Some(seq) = exception["seq"].as_i64() {
            assert_eq!(
                exception["link"],
                format!("/api/v1/ledger/entries/{seq}/signatures").as_str(),
                "{exception}"
            );
            if exception["kind"] == "missing_verification" {
                assert_link_followed_by(&app, &team.qp, exception).await;
            }
        }
    }
}

/// Covers: GMP-ROLE-4, A11-15
#[tokio::test]
async fn qc_certification_and_treatment_each_belong_to_their_role() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, coi) = new_batch(&app, &team).await;
    let forbidden = [
        (
            "a clinician records QC",
            qc_result(&app, &team.cl1, &batch, "viability", "92.5", None).await,
        ),
        (
            "an operator records QC",
            qc_result(&app, &team.site.op1, &batch, "viability", "92.5", None).await,
        ),
        (
            "an operator releases",
            decide(&app, &team.site.op1, &batch, "released", None).await,
        ),
        (
            "QA releases",
            decide(&app, &team.site.qa, &batch, "released", None).await,
        ),
        (
            "a clinician rejects",
            decide(&app, &team.cl1, &batch, "rejected", Some("no")).await,
        ),
        ("a QC analyst ships", ship(&app, &team.qc1, &batch).await),
        (
            "a QP requests an exceptional release",
            physician_request(&app, &team.qp, &batch, "please", true).await,
        ),
        (
            "an operator infuses",
            crate::release_support::infuse(&app, &team.site.op1, &batch).await,
        ),
        (
            "QA checks at the bedside",
            crate::release_support::bedside(&app, &team.site.qa, &batch, "witnessed", (&coi, &coi))
                .await,
        ),
    ];
    for (what, response) in forbidden {
        expect_refused(response, 403, "forbidden", what).await;
    }
    // Clinicians read the batch record.
    assert_eq!(
        view(&app, &team.cl2, &batch).await["batch_number"],
        batch.as_str()
    );
}
