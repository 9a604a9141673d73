//! After certification: shipment and receipt on the ward, the two-person identity check at
//! the bedside, infusion, and follow-up, each rule refused with its problem code.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::release::refuse_all_writes;
use crate::release_support::{
    batch_entries, bedside, close_deviation, decide, expect_refused, expect_status, expect_success,
    follow_up, follow_up_with, infuse, new_batch, receive, receive_with, received, released, ship,
    ship_at, tested, today, two_person_check, view, visit,
};

async fn infuse_at(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    (thaw, start, end): (String, String, String),
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/batches/{batch}/infusion"),
        Some(&who.token),
        &json!({ "thaw_started_at": thaw, "infusion_started_at": start,
                 "infusion_ended_at": end, "bags": 2, "dose_car_t_per_kg": "1.0e6",
                 "premedication": "paracetamol", "immediate_reactions": "none",
                 "signature": { "password": who.password, "meaning": "performed" } }),
    )
    .await
}

/// Covers: GMP-CUS-1, P11-10f
#[tokio::test]
async fn a_batch_is_shipped_only_after_release_one_shipment_at_a_time() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let (batch, _) = tested(&app, &team).await;
    expect_refused(
        ship(&app, &team.site.op1, &batch).await,
        409,
        "not_released",
        "shipment before release",
    )
    .await;
    expect_status(
        decide(&app, &team.qp, &batch, "released", None).await,
        200,
        "release",
    )
    .await;
    let in_an_hour = (Utc::now() + Duration::hours(1)).to_rfc3339();
    expect_refused(
        ship_at(&app, &team.site.op1, &batch, &in_an_hour).await,
        422,
        "invalid_time",
        "dispatched in the future",
    )
    .await;
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    expect_refused(
        ship_at(&app, &team.site.op1, &batch, &yesterday).await,
        422,
        "invalid_time",
        "dispatched before the QP certified",
    )
    .await;
    let shipped = expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    assert_eq!(shipped["state"], "shipped");
    let shipment = &shipped["shipments"][0];
    assert_eq!(shipment["shipment_id"], 1);
    assert_eq!(shipment["dispatched_by"], team.site.op1.username.as_str());
    assert_eq!(shipment["logger_id"], "LOG-7781");
    assert!(shipment["receipt"].is_null(), "{shipment}");
    expect_refused(
        ship(&app, &team.site.op2, &batch).await,
        409,
        "shipment_in_transit",
        "a second shipment in transit",
    )
    .await;
    let (status, _) = problem(receive(&app, &team.site.op1, &batch, 1).await).await;
    assert_eq!(status, 403, "an operator does not receive on the ward");
    expect_refused(
        receive(&app, &team.cl1, &batch, 9).await,
        404,
        "shipment_not_found",
        "unknown shipment",
    )
    .await;
    expect_refused(
        receive_with(&app, &team.cl1, &batch, 1, ("-150", "-170"), true).await,
        422,
        "invalid_temperature",
        "min above max",
    )
    .await;
    let receipt_body = |received_at: String| {
        json!({ "received_at": received_at, "min_temperature_c": -185.5,
                "max_temperature_c": -160.5, "container_intact": true,
                "signature": { "password": team.cl1.password, "meaning": "performed" } })
    };
    let path = format!("/api/v1/batches/{batch}/shipments/1/receive");
    let before_dispatch = (Utc::now() - Duration::hours(2)).to_rfc3339();
    expect_refused(
        app.post(&path, Some(&team.cl1.token), &receipt_body(before_dispatch))
            .await,
        422,
        "invalid_time",
        "received before it was dispatched",
    )
    .await;
    // Temperatures as JSON numbers are taken as the decimals they spell.
    let arrived = expect_success(
        app.post(
            &path,
            Some(&team.cl1.token),
            &receipt_body(Utc::now().to_rfc3339()),
        )
        .await,
        "receipt",
    )
    .await;
    assert_eq!(arrived["state"], "received");
    let receipt = &arrived["shipments"][0]["receipt"];
    assert_eq!(
        (
            receipt["min_temperature_c"].as_str(),
            receipt["max_temperature_c"].as_str()
        ),
        (Some("-185.5"), Some("-160.5"))
    );
    assert_eq!(receipt["received_by"], team.cl1.username.as_str());
    assert_eq!(receipt["excursion"], false);
    assert_eq!(receipt["container_intact"], true);
    assert!(receipt["deviation_id"].is_null(), "{receipt}");
    assert!(arrived["deviations"].as_array().expect("list").is_empty());
    expect_refused(
        receive(&app, &team.cl2, &batch, 1).await,
        409,
        "already_received",
        "received twice",
    )
    .await;
}

/// Covers: GMP-CUS-3, GMP-CUS-4
#[tokio::test]
async fn infusion_needs_the_product_received_and_a_passed_two_person_bedside_check() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let (batch, coi) = released(&app, &team).await;
    let printed = view(&app, &team.cl1, &batch).await["coi_printed"]
        .as_str()
        .expect("printed")
        .to_owned();
    for (what, response) in [
        (
            "infusion before shipment",
            infuse(&app, &team.cl1, &batch).await,
        ),
        (
            "bedside check before shipment",
            bedside(&app, &team.cl1, &batch, "performed", (&coi, &coi)).await,
        ),
    ] {
        expect_refused(response, 409, "not_received", what).await;
    }
    expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    for (what, response) in [
        ("infusion in transit", infuse(&app, &team.cl1, &batch).await),
        (
            "bedside check in transit",
            bedside(&app, &team.cl1, &batch, "performed", (&coi, &coi)).await,
        ),
    ] {
        expect_refused(response, 409, "not_received", what).await;
    }
    expect_success(receive(&app, &team.cl1, &batch, 1).await, "receipt").await;
    expect_refused(
        infuse(&app, &team.cl1, &batch).await,
        409,
        "bedside_check_required",
        "infusion without a check",
    )
    .await;
    expect_refused(
        bedside(&app, &team.cl2, &batch, "witnessed", (&coi, &coi)).await,
        409,
        "no_check_to_witness",
        "a witness first",
    )
    .await;
    // The label as printed (with its check character) and the wristband's 15 characters.
    let checked = expect_status(
        bedside(&app, &team.cl1, &batch, "performed", (&printed, &coi)).await,
        201,
        "first reading",
    )
    .await;
    let check = &checked["bedside_checks"][0];
    assert_eq!(check["performed_by"], team.cl1.username.as_str());
    assert_eq!(
        check["passed"], false,
        "one clinician is not a check: {check}"
    );
    assert!(check["witnessed_by"].is_null(), "{check}");
    expect_refused(
        bedside(&app, &team.cl1, &batch, "performed", (&coi, &coi)).await,
        409,
        "bedside_check_pending",
        "a second first reading",
    )
    .await;
    expect_refused(
        bedside(&app, &team.cl1, &batch, "witnessed", (&coi, &coi)).await,
        403,
        "same_clinician",
        "the same clinician witnesses",
    )
    .await;
    expect_refused(
        infuse(&app, &team.cl1, &batch).await,
        409,
        "bedside_check_required",
        "infusion after one reading",
    )
    .await;
    let witnessed = expect_success(
        bedside(&app, &team.cl2, &batch, "witnessed", (&coi, &printed)).await,
        "witness",
    )
    .await;
    let check = &witnessed["bedside_checks"][0];
    assert_eq!(check["witnessed_by"], team.cl2.username.as_str());
    assert_eq!(check["passed"], true, "{check}");
    assert_eq!(
        witnessed["bedside_checks"].as_array().map(Vec::len),
        Some(1),
        "the witness completes the same check"
    );
    let now = Utc::now();
    expect_refused(
        infuse_at(
            &app,
            &team.cl1,
            &batch,
            (
                (now + Duration::minutes(2)).to_rfc3339(),
                now.to_rfc3339(),
                now.to_rfc3339(),
            ),
        )
        .await,
        422,
        "invalid_time",
        "infusion started before the thaw",
    )
    .await;
    expect_refused(
        infuse_at(
            &app,
            &team.cl1,
            &batch,
            (
                (now - Duration::hours(3)).to_rfc3339(),
                now.to_rfc3339(),
                now.to_rfc3339(),
            ),
        )
        .await,
        422,
        "invalid_time",
        "thawed before the product arrived",
    )
    .await;
    let done = expect_status(infuse(&app, &team.cl2, &batch).await, 201, "infusion").await;
    assert_eq!(done["state"], "infused");
    let infusion = &done["infusion"];
    assert_eq!(infusion["recorded_by"], team.cl2.username.as_str());
    assert_eq!(infusion["bags"], 2);
    assert_eq!(infusion["immediate_reactions"], "none");
    assert!(infusion["seq"].as_i64().is_some(), "{infusion}");
    let listed: Value = app
        .get("/api/v1/batches?state=infused", Some(&team.cl1.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["batches"][0]["batch_number"], batch.as_str());
}

/// Covers: GMP-CUS-3
#[tokio::test]
async fn a_coi_mismatch_at_the_bedside_is_refused_recorded_and_voids_the_check_before_it() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let (batch, coi) = received(&app, &team).await;
    let (_, other) = new_batch(&app, &team).await;
    let body = expect_refused(
        bedside(&app, &team.cl1, &batch, "performed", (&coi, &other)).await,
        422,
        "coi_mismatch",
        "another patient's wristband",
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("STOP"),
        "{body}"
    );
    expect_refused(
        bedside(&app, &team.cl1, &batch, "performed", (&coi, "NOT-A-COI")).await,
        422,
        "invalid_coi",
        "an unreadable identifier",
    )
    .await;
    let entries = batch_entries(&app, &auditor, &batch).await;
    let mismatches: Vec<&Value> = entries
        .iter()
        .filter(|(kind, _)| kind == "batch.coi_mismatch")
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(mismatches.len(), 2, "{entries:?}");
    assert_eq!(mismatches[0]["step_id"], "bedside_check");
    assert_eq!(mismatches[0]["presented"], other.as_str());
    assert_eq!(mismatches[0]["source"], "patient wristband");
    // An unreadable label is a possible mix-up too: recorded as read.
    assert_eq!(mismatches[1]["presented"], "NOT-A-COI");
    assert_eq!(mismatches[1]["source"], "patient wristband");
    let after = view(&app, &team.cl1, &batch).await;
    assert_eq!(after["coi_mismatches"], 2);
    assert!(
        after["bedside_checks"].as_array().expect("list").is_empty(),
        "nothing was recorded as checked: {after}"
    );
    expect_refused(
        infuse(&app, &team.cl1, &batch).await,
        409,
        "bedside_check_required",
        "infusion after the mismatch",
    )
    .await;
    // A passed check, then a wrong label read: the passed check no longer counts.
    let passed = two_person_check(&app, (&team.cl1, &team.cl2), &batch, &coi).await;
    assert_eq!(passed["bedside_checks"][0]["passed"], true);
    expect_refused(
        bedside(&app, &team.cl2, &batch, "performed", (&other, &coi)).await,
        422,
        "coi_mismatch",
        "another patient's product",
    )
    .await;
    let voided = view(&app, &team.cl1, &batch).await;
    assert_eq!(voided["coi_mismatches"], 3);
    assert_eq!(
        voided["bedside_checks"][0]["passed"], false,
        "a mismatch voids the check before it: {voided}"
    );
    expect_refused(
        infuse(&app, &team.cl1, &batch).await,
        409,
        "bedside_check_required",
        "infusion after a later mismatch",
    )
    .await;
    let review = expect_status(
        crate::release_support::review(&app, &auditor, &batch).await,
        200,
        "review",
    )
    .await;
    assert_eq!(
        crate::release_support::exception_kinds(&review)
            .iter()
            .filter(|k| *k == "coi_mismatch")
            .count(),
        3,
        "{review:#}"
    );
    two_person_check(&app, (&team.cl2, &team.cl1), &batch, &coi).await;
    let done = expect_status(infuse(&app, &team.cl1, &batch).await, 201, "infusion").await;
    assert_eq!(done["state"], "infused");
    assert_eq!(done["bedside_checks"].as_array().map(Vec::len), Some(2));
}

/// Covers: GMP-CUS-4
#[tokio::test]
async fn an_infused_batch_takes_follow_up_visits_and_nothing_else() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let (batch, coi) = received(&app, &team).await;
    expect_refused(
        follow_up(&app, &team.cl1, &batch).await,
        409,
        "not_infused",
        "follow-up before infusion",
    )
    .await;
    two_person_check(&app, (&team.cl1, &team.cl2), &batch, &coi).await;
    expect_status(infuse(&app, &team.cl1, &batch).await, 201, "infusion").await;
    refuse_all_writes(&app, &team, &batch, "batch_infused").await;
    for (what, response) in [
        ("receipt", receive(&app, &team.cl2, &batch, 1).await),
        (
            "bedside check",
            bedside(&app, &team.cl1, &batch, "performed", (&coi, &coi)).await,
        ),
        ("infusion again", infuse(&app, &team.cl1, &batch).await),
    ] {
        expect_refused(response, 409, "batch_infused", what).await;
    }
    let (status, body) =
        problem(decide(&app, &team.qp, &batch, "rejected", Some("late")).await).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        ["already_decided", "batch_infused"].contains(&body["code"].as_str().unwrap_or_default()),
        "{body}"
    );
    let visited = expect_status(follow_up(&app, &team.cl2, &batch).await, 201, "follow-up").await;
    assert_eq!(visited["state"], "infused");
    let visit_view = &visited["follow_ups"][0];
    assert_eq!(visit_view["recorded_by"], team.cl2.username.as_str());
    assert_eq!(visit_view["visit_date"], today().as_str());
    assert_eq!(visit_view["secondary_malignancy"], false);
    assert_eq!(
        visit_view["adverse_events"],
        json!([{ "term": "cytokine release syndrome", "grade": 2 }])
    );
    let tomorrow = (Utc::now() + Duration::days(2)).date_naive().to_string();
    let (status, _) =
        problem(follow_up_with(&app, &team.cl1, &batch, visit(&tomorrow)).await).await;
    assert_eq!(status, 422, "a visit in the future");
    let mut grade6 = visit(&today());
    grade6["adverse_events"] = json!([{ "term": "death", "grade": 6 }]);
    let (status, _) = problem(follow_up_with(&app, &team.cl1, &batch, grade6).await).await;
    assert_eq!(status, 422, "CTCAE grades are 1 to 5");
    let (status, _) = problem(follow_up(&app, &team.site.op1, &batch).await).await;
    assert_eq!(status, 403, "follow-up is the clinicians'");
    let second = expect_status(
        follow_up(&app, &team.cl1, &batch).await,
        201,
        "second visit",
    )
    .await;
    assert_eq!(second["follow_ups"].as_array().map(Vec::len), Some(2));
}

/// Covers: GMP-CUS-2
#[tokio::test]
async fn a_shipping_excursion_raises_a_deviation_that_blocks_infusion_until_qa_closes_it() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let (batch, coi) = released(&app, &team).await;
    expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    let warm = expect_success(
        receive_with(&app, &team.cl1, &batch, 1, ("-180", "-120"), true).await,
        "receipt above the limit",
    )
    .await;
    assert_eq!(warm["state"], "received");
    let receipt = &warm["shipments"][0]["receipt"];
    assert_eq!(receipt["excursion"], true, "{receipt}");
    let deviations = warm["deviations"].as_array().expect("deviations");
    assert_eq!(deviations.len(), 1, "{warm}");
    let deviation = &deviations[0];
    assert_eq!(deviation["automatic"], true);
    assert_eq!(deviation["state"], "open");
    let id = deviation["deviation_id"].as_u64().expect("id");
    let receipt_names = receipt["deviation_id"].clone();
    two_person_check(&app, (&team.cl1, &team.cl2), &batch, &coi).await;
    expect_refused(
        infuse(&app, &team.cl1, &batch).await,
        409,
        "open_deviation",
        "infusion with the excursion open",
    )
    .await;
    let closed = close_deviation(&app, &team.site.qa, &batch, id).await;
    assert_eq!(closed["deviations"][0]["state"], "closed");
    let done = expect_status(infuse(&app, &team.cl1, &batch).await, 201, "infusion").await;
    assert_eq!(done["state"], "infused");
    assert_eq!(receipt_names, id, "the receipt names its deviation");
}

/// Covers: GMP-CUS-2
#[tokio::test]
async fn a_damaged_container_raises_a_deviation_too() {
    let app = spawn_app().await;
    let team = crate::release_support::team(&app).await;
    let (batch, coi) = released(&app, &team).await;
    expect_status(ship(&app, &team.site.op1, &batch).await, 201, "shipment").await;
    let broken = expect_success(
        receive_with(&app, &team.cl1, &batch, 1, ("-190", "-170"), false).await,
        "receipt of a damaged container",
    )
    .await;
    let receipt = &broken["shipments"][0]["receipt"];
    assert_eq!(receipt["excursion"], false, "{receipt}");
    assert_eq!(receipt["container_intact"], false);
    assert_eq!(broken["deviations"][0]["automatic"], true);
    assert_eq!(broken["deviations"][0]["state"], "open");
    two_person_check(&app, (&team.cl2, &team.cl1), &batch, &coi).await;
    expect_refused(
        infuse(&app, &team.cl2, &batch).await,
        409,
        "open_deviation",
        "infusion from a damaged container",
    )
    .await;
    assert_eq!(
        receipt["deviation_id"], broken["deviations"][0]["deviation_id"],
        "the receipt names its deviation: {receipt}"
    );
}
