//! A site ready to make batches: the shipped template approved, lots released, equipment
//! calibrated, files uploaded, two operators; and the values of each step of the template.

use serde_json::{json, Value};

use crate::helpers::{TestApp, TestUser};
use crate::materials::{register_equipment, register_lot, release_lot};

pub struct Site {
    pub qa: TestUser,
    pub op1: TestUser,
    pub op2: TestUser,
    pub lots: Vec<(String, String)>,
    pub dose_calculation: String,
    pub freezer_record: String,
}

pub const MATERIALS: [&str; 6] = [
    "cd4_cd8_enrichment_kit",
    "activation_reagent",
    "cytokine",
    "culture_medium",
    "lentiviral_vector",
    "cryoprotectant",
];

pub async fn approve_template(app: &TestApp, qa: &TestUser) {
    let approved = app
        .post(
            "/api/v1/templates/cd19-car-t-lv/versions/1/approve",
            Some(&qa.token),
            &json!({ "signature": { "password": qa.password, "meaning": "approved" } }),
        )
        .await;
    assert_eq!(approved.status(), 200, "template approved");
}

pub async fn site(app: &TestApp) -> Site {
    let qa = app.approver().await;
    let qa = TestUser {
        username: qa.username.clone(),
        password: qa.password.clone(),
        token: qa.token.clone(),
    };
    approve_template(app, &qa).await;
    let mut lots = Vec::new();
    for material in MATERIALS {
        let lot_id = register_lot(app, &qa, material, "2099-12-31").await;
        assert_eq!(release_lot(app, &qa, &lot_id).await.status(), 200);
        lots.push((material.to_owned(), lot_id));
    }
    for id in ["PRODIGY-01", "FREEZER-01", "LN2-TANK-01"] {
        register_equipment(app, &qa, id, "2099-12-31").await;
    }
    let op1 = app.user_with_roles(&["operator"]).await;
    let op2 = app.user_with_roles(&["operator"]).await;
    let dose_calculation = upload(app, &op1, b"dose calculation worksheet").await;
    let freezer_record = upload(app, &op1, b"controlled-rate freezer run record").await;
    Site {
        qa,
        op1,
        op2,
        lots,
        dose_calculation,
        freezer_record,
    }
}

async fn upload(app: &TestApp, user: &TestUser, bytes: &'static [u8]) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/attachments"))
        .bearer_auth(&user.token)
        .header("content-type", "text/plain")
        .body(bytes)
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    body["sha256"].as_str().expect("hash").to_owned()
}

impl Site {
    pub fn lot(&self, material: &str) -> String {
        self.lots
            .iter()
            .find(|(m, _)| m == material)
            .map(|(_, id)| id.clone())
            .expect("lot")
    }

    /// In-range values for each manufacturing step of the shipped template.
    pub fn values(&self, step: &str) -> Value {
        let at = "2026-11-20T09:00:00+01:00";
        match step {
            "apheresis_receipt" => json!({
                "collection_id": "APH-2026-117", "label_matches_patient": true,
                "collection_end": "2026-11-19T15:00:00+01:00", "received_at": at,
                "transport_temperature": "4", "bag_integrity": "intact", "volume": "250",
                "total_nucleated_cells": "5e9", "cd3_percent": "45", "viability": "92" }),
            "selection_activation" => json!({
                "started_at": at, "automated_system": "PRODIGY-01",
                "enrichment_kit_lot": self.lot("cd4_cd8_enrichment_kit"),
                "activation_reagent_lot": self.lot("activation_reagent"),
                "cytokine_lot": self.lot("cytokine"), "medium_lot": self.lot("culture_medium"),
                "cells_seeded": "1e8", "seeding_viability": "90" }),
            "transduction" => json!({
                "vector_lot": self.lot("lentiviral_vector"), "vector_certificate_checked": true,
                "moi": "5", "vector_volume": "2.5", "transduced_at": at }),
            "expansion" => json!({
                "process_day": 5, "sampled_at": at, "viable_cell_count": "8e8",
                "viability": "88", "culture_action": "feed" }),
            "harvest_formulation" => json!({
                "harvested_at": at, "total_viable_cells": "2e9", "viability": "90",
                "car_positive_percent": "35", "patient_weight": "31.5", "target_dose": "1e6",
                "volume_per_bag": "20", "bags": 2,
                "cryoprotectant_lot": self.lot("cryoprotectant"),
                "dose_calculation": self.dose_calculation }),
            "cryopreservation" => json!({
                "freezer": "FREEZER-01", "freezer_program": "CAR-T-01",
                "freezer_run_record": self.freezer_record, "bag_ids": "B1, B2",
                "labels_checked": true, "stored_at": at, "storage_tank": "LN2-TANK-01",
                "storage_position": "T1-R3-P4" }),
            other => panic!("no values for {other}"),
        }
    }
}

pub async fn create_batch(app: &TestApp, operator: &TestUser, coi: Option<&str>) -> Value {
    let mut body = json!({ "template": "cd19-car-t-lv", "patient_code": "ER-LUP-007",
                           "date_of_birth": "2014-05-02", "treating_site": "Erlangen",
                           "patient_weight_kg": "31.5" });
    if let Some(coi) = coi {
        body["coi"] = json!(coi);
    }
    let response = app
        .post("/api/v1/batches", Some(&operator.token), &body)
        .await;
    assert_eq!(response.status(), 201, "batch created");
    response.json().await.expect("JSON")
}

pub async fn record(
    app: &TestApp,
    who: &TestUser,
    batch: &str,
    step: &str,
    values: Value,
    coi: Option<&str>,
) -> reqwest::Response {
    let mut body = json!({ "values": values,
                           "signature": { "password": who.password, "meaning": "performed" } });
    if let Some(coi) = coi {
        body["coi"] = json!(coi);
    }
    app.post(
        &format!("/api/v1/batches/{batch}/steps/{step}"),
        Some(&who.token),
        &body,
    )
    .await
}

pub async fn verify(app: &TestApp, who: &TestUser, batch: &str, step: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/batches/{batch}/steps/{step}/verify"),
        Some(&who.token),
        &json!({ "signature": { "password": who.password, "meaning": "verified" } }),
    )
    .await
}

pub const STEPS: [&str; 6] = [
    "apheresis_receipt",
    "selection_activation",
    "transduction",
    "expansion",
    "harvest_formulation",
    "cryopreservation",
];

/// Records (and where required has the other operator verify) every step up to `until`.
pub async fn run_until(app: &TestApp, site: &Site, batch: &str, coi: &str, until: &str) {
    for (i, step) in STEPS.iter().enumerate() {
        if *step == until {
            return;
        }
        let (performer, verifier) = if i % 2 == 0 {
            (&site.op1, &site.op2)
        } else {
            (&site.op2, &site.op1)
        };
        let recorded = record(app, performer, batch, step, site.values(step), Some(coi)).await;
        assert_eq!(
            recorded.status(),
            201,
            "{step}: {}",
            recorded.text().await.unwrap_or_default()
        );
        if *step != "expansion" {
            assert_eq!(
                verify(app, verifier, batch, step).await.status(),
                200,
                "verify {step}"
            );
        }
    }
}
