//! After manufacturing: the people who test, certify, ship and infuse a batch, and one helper
//! per signed write of QC, certification, custody, the bedside, infusion and follow-up. Stated
//! times are taken from the clock at each call, so that they follow the server's own entries.

use chrono::Utc;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::batch_support::{create_batch, run_until, site, Site};
use crate::helpers::{problem, TestApp, TestUser};

/// The template's QC release tests, each with a result within specification.
pub const PASSING: [(&str, &str); 12] = [
    ("appearance", "as expected, no clumps"),
    ("viable_cell_count", "1.0e6"),
    ("viability", "92.5"),
    ("cd3_identity", "97"),
    ("car_expression", "35"),
    ("vector_copy_number", "2.1"),
    ("potency", "850"),
    ("sterility", "no growth"),
    ("mycoplasma", "not detected"),
    ("endotoxin", "0.5"),
    ("gram_stain", "no organisms seen"),
    ("rcl", "not detected"),
];

/// A site with everyone a batch meets after manufacturing: two QC analysts, a QP who made
/// nothing, two clinicians on the ward.
pub struct Team {
    pub site: Site,
    pub qc1: TestUser,
    pub qc2: TestUser,
    pub qp: TestUser,
    pub cl1: TestUser,
    pub cl2: TestUser,
}

pub async fn team(app: &TestApp) -> Team {
    let site = site(app).await;
    Team {
        site,
        qc1: app.user_with_roles(&["qc_analyst"]).await,
        qc2: app.user_with_roles(&["qc_analyst"]).await,
        qp: app.user_with_roles(&["qp"]).await,
        cl1: app.user_with_roles(&["clinician"]).await,
        cl2: app.user_with_roles(&["clinician"]).await,
    }
}

fn signature(who: &TestUser, meaning: &str) -> Value {
    json!({ "password": who.password, "meaning": meaning })
}

fn now() -> String {
    Utc::now().to_rfc3339()
}

/// The body of a successful response, after checking its status (the body is shown if not).
pub async fn expect_status(response: Response, expected: u16, what: &str) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(status.as_u16(), expected, "{what}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The body of a write that succeeded, whether it answered 200 or 201.
pub async fn expect_success(response: Response, what: &str) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(
        status == StatusCode::OK || status == StatusCode::CREATED,
        "{what}: {status} {text}"
    );
    serde_json::from_str(&text).expect("JSON")
}

/// A refusal with this status and problem code; returns the problem body.
pub async fn expect_refused(response: Response, status: u16, code: &str, what: &str) -> Value {
    let (got, body) = problem(response).await;
    assert_eq!(
        (got.as_u16(), body["code"].as_str()),
        (status, Some(code)),
        "{what}: {body}"
    );
    body
}

pub async fn view(app: &TestApp, who: &TestUser, batch: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&who.token))
        .await;
    expect_status(response, 200, "batch view").await
}

pub async fn review(app: &TestApp, who: &TestUser, batch: &str) -> Response {
    app.get(&format!("/api/v1/batches/{batch}/review"), Some(&who.token))
        .await
}

pub async fn qc_result(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    test_id: &str,
    result: &str,
    comment: Option<&str>,
) -> Response {
    let mut body = json!({ "result": result, "signature": signature(who, "performed") });
    if let Some(comment) = comment {
        body["comment"] = json!(comment);
    }
    app.post(
        &format!("/api/v1/batches/{batch}/qc/{test_id}"),
        Some(&who.token),
        &body,
    )
    .await
}

pub async fn qc_verify(app: &TestApp, who: &TestUser, batch: &str, test_id: &str) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/qc/{test_id}/verify"),
        Some(&who.token),
        &json!({ "signature": signature(who, "verified") }),
    )
    .await
}

/// Records every QC test with its passing value, except those in `results` which take the
/// value given there; `analyst` records and `verifier` verifies each. Returns the last view.
pub async fn record_qc(
    app: &TestApp,
    (analyst, verifier): (&TestUser, &TestUser),
    batch: &str,
    results: &[(&str, &str)],
) -> Value {
    let mut last = Value::Null;
    for (test_id, passing) in PASSING {
        let result = results
            .iter()
            .find(|(t, _)| *t == test_id)
            .map_or(passing, |(_, r)| r);
        let recorded = qc_result(app, analyst, batch, test_id, result, None).await;
        expect_status(recorded, 201, &format!("QC {test_id} of {batch}")).await;
        let verified = qc_verify(app, verifier, batch, test_id).await;
        last = expect_status(verified, 200, &format!("verify QC {test_id} of {batch}")).await;
    }
    last
}

pub async fn physician_request(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    reason: &str,
    risk_acknowledged: bool,
) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/physician-request"),
        Some(&who.token),
        &json!({ "reason": reason, "risk_acknowledged": risk_acknowledged,
                 "signature": signature(who, "requested") }),
    )
    .await
}

/// The QP's decision, signed with `meaning` (which must equal the decision).
pub async fn decide_as(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    decision: &str,
    justification: Option<&str>,
    meaning: &str,
) -> Response {
    let mut body = json!({ "decision": decision, "signature": signature(who, meaning) });
    if let Some(justification) = justification {
        body["justification"] = json!(justification);
    }
    app.post(
        &format!("/api/v1/batches/{batch}/release"),
        Some(&who.token),
        &body,
    )
    .await
}

pub async fn decide(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    decision: &str,
    justification: Option<&str>,
) -> Response {
    decide_as(app, who, batch, decision, justification, decision).await
}

pub async fn ship_at(app: &TestApp, who: &TestUser, batch: &str, dispatched_at: &str) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/shipments"),
        Some(&who.token),
        &json!({ "shipper_id": "Cryoport", "container_id": "DRY-SHIPPER-0042",
                 "logger_id": "LOG-7781", "dispatched_at": dispatched_at,
                 "signature": signature(who, "performed") }),
    )
    .await
}

pub async fn ship(app: &TestApp, who: &TestUser, batch: &str) -> Response {
    ship_at(app, who, batch, &now()).await
}

/// Receipt of a shipment with the logger's range and the container's state.
pub async fn receive_with(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    shipment_id: u32,
    (min, max): (&str, &str),
    container_intact: bool,
) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/shipments/{shipment_id}/receive"),
        Some(&who.token),
        &json!({ "received_at": now(), "min_temperature_c": min, "max_temperature_c": max,
                 "container_intact": container_intact, "signature": signature(who, "performed") }),
    )
    .await
}

/// Receipt within the shipping limit, container intact.
pub async fn receive(app: &TestApp, who: &TestUser, batch: &str, shipment_id: u32) -> Response {
    receive_with(app, who, batch, shipment_id, ("-185.5", "-160.5"), true).await
}

/// One reading of the product label and the wristband: `performed` by the first clinician,
/// `witnessed` by the second.
pub async fn bedside(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    meaning: &str,
    (product_coi, patient_coi): (&str, &str),
) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/bedside-check"),
        Some(&who.token),
        &json!({ "product_coi": product_coi, "patient_coi": patient_coi,
                 "signature": signature(who, meaning) }),
    )
    .await
}

/// A passed two-person check: `first` reads, `second` witnesses. Returns the view.
pub async fn two_person_check(
    app: &TestApp,
    (first, second): (&TestUser, &TestUser),
    batch: &str,
    coi: &str,
) -> Value {
    let performed = bedside(app, first, batch, "performed", (coi, coi)).await;
    expect_status(performed, 201, &format!("bedside check of {batch}")).await;
    let witnessed = bedside(app, second, batch, "witnessed", (coi, coi)).await;
    expect_success(witnessed, &format!("bedside witness of {batch}")).await
}

pub async fn infuse(app: &TestApp, who: &TestUser, batch: &str) -> Response {
    let thaw = now();
    let start = now();
    let end = now();
    app.post(
        &format!("/api/v1/batches/{batch}/infusion"),
        Some(&who.token),
        &json!({ "thaw_started_at": thaw, "infusion_started_at": start,
                 "infusion_ended_at": end, "bags": 2, "dose_car_t_per_kg": "1.0e6",
                 "premedication": "paracetamol 15 mg/kg, clemastine 0.03 mg/kg",
                 "immediate_reactions": "none",
                 "signature": signature(who, "performed") }),
    )
    .await
}

pub async fn follow_up_with(app: &TestApp, who: &TestUser, batch: &str, body: Value) -> Response {
    let mut body = body;
    body["signature"] = signature(who, "performed");
    app.post(
        &format!("/api/v1/batches/{batch}/follow-up"),
        Some(&who.token),
        &body,
    )
    .await
}

pub fn visit(visit_date: &str) -> Value {
    json!({ "visit_date": visit_date, "disease_status": "complete remission, MRD negative",
            "immunosuppression": "none", "adverse_events":
                [{ "term": "cytokine release syndrome", "grade": 2 }],
            "secondary_malignancy": false, "notes": "B-cell aplasia, IVIG monthly" })
}

pub fn today() -> String {
    Utc::now().date_naive().to_string()
}

pub async fn follow_up(app: &TestApp, who: &TestUser, batch: &str) -> Response {
    follow_up_with(app, who, batch, visit(&today())).await
}

/// QA classifies a deviation and closes it with its investigation.
pub async fn close_deviation(app: &TestApp, qa: &TestUser, batch: &str, id: u64) -> Value {
    let path = format!("/api/v1/batches/{batch}/deviations/{id}");
    let classified = app
        .post(
            &format!("{path}/classify"),
            Some(&qa.token),
            &json!({ "classification": "minor" }),
        )
        .await;
    expect_status(classified, 200, &format!("classify deviation {id}")).await;
    let closed = app
        .post(
            &format!("{path}/close"),
            Some(&qa.token),
            &json!({ "investigation": "reviewed with the records and the logger data",
                     "root_cause": "handling at the transfer", "capa_ref": "CAPA-2026-044",
                     "signature": signature(qa, "approved") }),
        )
        .await;
    expect_status(closed, 200, &format!("close deviation {id}")).await
}

/// A new batch (created by the first operator) with its COI.
pub async fn new_batch(app: &TestApp, team: &Team) -> (String, String) {
    let created = create_batch(app, &team.site.op1, None).await;
    (
        created["batch_number"].as_str().expect("number").to_owned(),
        created["coi"].as_str().expect("coi").to_owned(),
    )
}

/// A batch with every manufacturing step recorded and verified, waiting for QC.
pub async fn manufactured(app: &TestApp, team: &Team) -> (String, String) {
    let (batch, coi) = new_batch(app, team).await;
    run_until(app, &team.site, &batch, &coi, "end").await;
    (batch, coi)
}

/// A manufactured batch with every QC result recorded and verified, within specification.
pub async fn tested(app: &TestApp, team: &Team) -> (String, String) {
    let (batch, coi) = manufactured(app, team).await;
    let last = record_qc(app, (&team.qc1, &team.qc2), &batch, &[]).await;
    assert_eq!(last["state"], "awaiting_release", "{last}");
    (batch, coi)
}

/// A batch certified `released` by the QP.
pub async fn released(app: &TestApp, team: &Team) -> (String, String) {
    let (batch, coi) = tested(app, team).await;
    let decided = decide(app, &team.qp, &batch, "released", None).await;
    let decided = expect_status(decided, 200, "release").await;
    assert_eq!(decided["state"], "released");
    (batch, coi)
}

/// A released batch shipped by an operator and received on the ward by the first clinician.
pub async fn received(app: &TestApp, team: &Team) -> (String, String) {
    let (batch, coi) = released(app, team).await;
    expect_status(ship(app, &team.site.op1, &batch).await, 201, "shipment").await;
    let view = expect_success(receive(app, &team.cl1, &batch, 1).await, "receipt").await;
    assert_eq!(view["state"], "received", "{view}");
    (batch, coi)
}

/// The codes of a review's exceptions, in order.
pub fn exception_kinds(review: &Value) -> Vec<String> {
    review["exceptions"]
        .as_array()
        .expect("exceptions")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The entries of one batch's stream in the ledger, as (kind, payload).
pub async fn batch_entries(app: &TestApp, auditor: &TestUser, batch: &str) -> Vec<(String, Value)> {
    let stream = format!("batch/{batch}");
    app.ledger_entries(auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["payload"].clone(),
            )
        })
        .collect()
}

/// A correction of a value of the apheresis receipt (record 1), signed `performed`.
pub async fn correct(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    (field, value): (&str, &str),
    reason: &str,
) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/corrections"),
        Some(&who.token),
        &json!({ "step_id": "apheresis_receipt", "record": 1, "field_id": field, "value": value,
                 "reason": reason, "signature": signature(who, "performed") }),
    )
    .await
}

/// A correction's verification (`verify`, meaning `verified`) or QA's approval (`approve`,
/// meaning `approved`).
pub async fn confirm_correction(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    id: u32,
    action: &str,
) -> Response {
    let meaning = if action == "approve" {
        "approved"
    } else {
        "verified"
    };
    app.post(
        &format!("/api/v1/batches/{batch}/corrections/{id}/{action}"),
        Some(&who.token),
        &json!({ "signature": signature(who, meaning) }),
    )
    .await
}

/// A deviation raised by hand (by an operator or QA) about a step.
pub async fn raise_deviation(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    description: &str,
) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/deviations"),
        Some(&who.token),
        &json!({ "description": description, "step_id": "cryopreservation" }),
    )
    .await
}

/// QA puts a batch on hold.
pub async fn hold(app: &TestApp, qa: &TestUser, batch: &str) -> Response {
    app.post(
        &format!("/api/v1/batches/{batch}/hold"),
        Some(&qa.token),
        &json!({ "reason": "sterility of the final product in question",
                 "signature": signature(qa, "approved") }),
    )
    .await
}

/// Every manufacturing step, the first performed by `first` (verified by the second
/// operator), the rest by the site's operators in turn.
pub async fn manufacture_with_first(
    app: &TestApp,
    site: &Site,
    first: &TestUser,
    batch: &str,
    coi: &str,
) {
    use crate::batch_support::{record, verify, STEPS};
    for (i, step) in STEPS.iter().enumerate() {
        let (performer, verifier) = match i {
            0 => (first, &site.op2),
            _ if i % 2 == 0 => (&site.op1, &site.op2),
            _ => (&site.op2, &site.op1),
        };
        let recorded = record(app, performer, batch, step, site.values(step), Some(coi)).await;
        expect_status(recorded, 201, step).await;
        if *step != "expansion" {
            expect_status(verify(app, verifier, batch, step).await, 200, step).await;
        }
    }
}
