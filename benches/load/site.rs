//! A site ready for load, set up through the API as people would (as tests/api/helpers.rs
//! and batch_support.rs do): the first admin, a QA user approved at the console, an auditor
//! and one operator per client, each with their own password and certified signature; the
//! shipped template approved, the lots and the equipment the first steps need released and
//! registered; one batch per client, its steps recorded up to the repeatable in-process count.

use futures_util::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use super::server::{Server, Site};

pub struct User {
    pub password: String,
    pub token: String,
}

/// What the load needs: who writes into which batch, and who reads the ledger.
pub struct Prepared {
    pub operators: Vec<User>,
    pub batches: Vec<Batch>,
    pub auditor: User,
    /// `qa0`, who reads QA's lists.
    pub qa: User,
}

pub struct Batch {
    pub number: String,
    pub coi: String,
}

/// The HTTP client and the server's address.
#[derive(Clone)]
pub struct Api {
    pub client: Client,
    pub address: String,
}

impl Api {
    pub fn new(server: &Server) -> Api {
        Api {
            client: Client::new(),
            address: server.address.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Posts JSON and answers the JSON body, insisting on `expected`.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
        expected: u16,
    ) -> Value {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.expect("answer read");
        assert_eq!(status.as_u16(), expected, "POST {path}: {text}");
        if status == StatusCode::NO_CONTENT {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON answer")
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON answer")
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let body = json!({ "username": username, "password": password });
        let answer = self.post("/api/v1/auth/login", None, &body, 200).await;
        answer["access_token"].as_str().expect("token").to_owned()
    }

    /// Logs in with the temporary password, sets a lasting one and logs in again.
    async fn activate(&self, username: &str, temporary: &str) -> User {
        let token = self.login(username, temporary).await;
        let password = format!("Lasting-{}-passphrase", uuid::Uuid::new_v4().simple());
        let change = json!({ "current_password": temporary, "new_password": password });
        self.post("/api/v1/auth/password", Some(&token), &change, 204)
            .await;
        let token = self.login(username, &password).await;
        User { password, token }
    }

    /// The admin creates the account, its owner activates it and certifies their signature;
    /// its roles still wait for approval.
    async fn person(&self, admin: &User, username: &str, n: u32, roles: &[&str]) -> User {
        let body = json!({ "username": username, "full_name": format!("Bench Person {}", letters(n)),
                           "roles": roles });
        let created = self
            .post("/api/v1/users", Some(&admin.token), &body, 201)
            .await;
        let temporary = created["temporary_password"].as_str().expect("temporary");
        let user = self.activate(username, temporary).await;
        let acknowledge = json!({ "signature": signature(&user, "acknowledged") });
        self.post(
            "/api/v1/users/me/acknowledge",
            Some(&user.token),
            &acknowledge,
            200,
        )
        .await;
        user
    }

    async fn approve(&self, qa: &User, username: &str) {
        let body = json!({ "signature": signature(qa, "approved") });
        self.post(
            &format!("/api/v1/users/{username}/approve"),
            Some(&qa.token),
            &body,
            200,
        )
        .await;
    }

    async fn approved_person(
        &self,
        admin: &User,
        qa: &User,
        username: &str,
        n: u32,
        role: &str,
    ) -> User {
        let user = self.person(admin, username, n, &[role]).await;
        self.approve(qa, username).await;
        user
    }
}

pub fn signature(user: &User, meaning: &str) -> Value {
    json!({ "password": user.password, "meaning": meaning })
}

/// A number spelt with the letters q to z, so that a person's name never shares three
/// characters with a password (hex digits), which the password policy would refuse.
fn letters(n: u32) -> String {
    n.to_string()
        .chars()
        .map(|d| char::from(b'q' + d.to_digit(10).map_or(0, |d| d as u8)))
        .collect()
}

/// Materials and equipment the steps before the in-process count name.
const MATERIALS: [&str; 5] = [
    "cd4_cd8_enrichment_kit",
    "activation_reagent",
    "cytokine",
    "culture_medium",
    "lentiviral_vector",
];

/// Sets up the site on a server just started on an empty database.
pub async fn prepare(api: &Api, site: &Site, bootstrap_password: &str, clients: usize) -> Prepared {
    let admin = api.activate("admin", bootstrap_password).await;
    let qa = api.person(&admin, "qa0", 0, &["qa"]).await;
    site.approve_at_console("qa0");
    let auditor = api
        .approved_person(&admin, &qa, "auditor0", 1, "auditor")
        .await;
    let operators = join_all((0..clients).map(|i| {
        let n = 100 + i as u32;
        let username = format!("operator{n}");
        let (api, admin, qa) = (api.clone(), &admin, &qa);
        async move {
            api.approved_person(admin, qa, &username, n, "operator")
                .await
        }
    }))
    .await;
    let lots = release_materials(api, &qa).await;
    let batches = join_all((0..clients).map(|i| {
        let performer = &operators[i];
        let verifier = &operators[(i + 1) % clients];
        let lots = &lots;
        async move { batch_at_expansion(api, performer, verifier, lots).await }
    }))
    .await;
    Prepared {
        operators,
        batches,
        auditor,
        qa,
    }
}

/// QA approves the shipped template, releases one lot of each material and registers the
/// cell processor; answers the lot ids by material.
async fn release_materials(api: &Api, qa: &User) -> Vec<(&'static str, String)> {
    let approve = json!({ "signature": signature(qa, "approved") });
    api.post(
        "/api/v1/templates/cd19-car-t-lv/versions/1/approve",
        Some(&qa.token),
        &approve,
        200,
    )
    .await;
    let mut lots = Vec::new();
    for material in MATERIALS {
        let lot = json!({ "material": material, "lot_number": "LN-2026-7",
                          "supplier": "Miltenyi Biotec", "expiry": "2099-12-31" });
        let lot = api.post("/api/v1/lots", Some(&qa.token), &lot, 201).await;
        let lot_id = lot["lot_id"].as_str().expect("lot id").to_owned();
        api.post(
            &format!("/api/v1/lots/{lot_id}/release"),
            Some(&qa.token),
            &approve,
            200,
        )
        .await;
        lots.push((material, lot_id));
    }
    let equipment = json!({ "id": "PRODIGY-01", "kind": "automated cell processor",
                            "calibration_due": "2099-12-31" });
    api.post("/api/v1/equipment", Some(&qa.token), &equipment, 201)
        .await;
    lots
}

/// A new batch with its first three steps recorded by `performer` and verified by `verifier`:
/// next is the repeatable in-process count (`expansion`).
async fn batch_at_expansion(
    api: &Api,
    performer: &User,
    verifier: &User,
    lots: &[(&str, String)],
) -> Batch {
    let created = json!({ "template": "cd19-car-t-lv", "patient_code": "ER-LUP-007",
                          "date_of_birth": "2014-05-02", "treating_site": "Erlangen",
                          "patient_weight_kg": "31.5" });
    let created = api
        .post("/api/v1/batches", Some(&performer.token), &created, 201)
        .await;
    let batch = Batch {
        number: created["batch_number"].as_str().expect("number").to_owned(),
        coi: created["coi_printed"].as_str().expect("coi").to_owned(),
    };
    for step in ["apheresis_receipt", "selection_activation", "transduction"] {
        let record = json!({ "values": values_before_expansion(step, lots), "coi": batch.coi,
                             "signature": signature(performer, "performed") });
        let path = format!("/api/v1/batches/{}/steps/{step}", batch.number);
        api.post(&path, Some(&performer.token), &record, 201).await;
        let verify = json!({ "signature": signature(verifier, "verified") });
        api.post(
            &format!("{path}/verify"),
            Some(&verifier.token),
            &verify,
            200,
        )
        .await;
    }
    batch
}

fn values_before_expansion(step: &str, lots: &[(&str, String)]) -> Value {
    let lot = |material: &str| {
        lots.iter()
            .find(|(m, _)| *m == material)
            .map(|(_, id)| id.clone())
            .expect("lot released")
    };
    let at = "2026-11-20T09:00:00+01:00";
    match step {
        "apheresis_receipt" => json!({
            "collection_id": "APH-2026-117", "label_matches_patient": true,
            "collection_end": "2026-11-19T15:00:00+01:00", "received_at": at,
            "transport_temperature": "4", "bag_integrity": "intact", "volume": "250",
            "total_nucleated_cells": "5e9", "cd3_percent": "45", "viability": "92" }),
        "selection_activation" => json!({
            "started_at": at, "automated_system": "PRODIGY-01",
            "enrichment_kit_lot": lot("cd4_cd8_enrichment_kit"),
            "activation_reagent_lot": lot("activation_reagent"),
            "cytokine_lot": lot("cytokine"), "medium_lot": lot("culture_medium"),
            "cells_seeded": "1e8", "seeding_viability": "90" }),
        "transduction" => json!({
            "vector_lot": lot("lentiviral_vector"), "vector_certificate_checked": true,
            "moi": "5", "vector_volume": "2.5", "transduced_at": at }),
        other => panic!("no values for {other}"),
    }
}

/// The in-process count, recorded again and again (the step is repeatable).
pub fn expansion_values(i: usize) -> Value {
    json!({ "process_day": 3 + i % 10, "sampled_at": "2026-11-25T09:00:00+01:00",
            "viable_cell_count": "8e8", "viability": "88", "culture_action": "none" })
}

/// A deviation raised by hand: the description an operator would type.
pub fn deviation_description(i: usize) -> String {
    format!(
        "Incubator door alarm #{i:06} for 90 s during the in-process count; temperature stayed \
         within 36.5-37.5 °C, QA informed, no impact on the product expected."
    )
}

/// Bytes the ledger stores for the newest deviation raised (`entry_bytes` + `payload_bytes`,
/// as the ledger API returns them): the row size the database ceiling is measured with.
pub async fn deviation_entry_bytes(api: &Api, auditor: &User) -> usize {
    use base64::Engine;
    let verified = api.get("/api/v1/ledger/verify", &auditor.token).await;
    let entries = verified["entries"].as_i64().expect("entries");
    let page = api
        .get(
            &format!(
                "/api/v1/ledger/entries?from={}&limit=20",
                (entries - 20).max(0)
            ),
            &auditor.token,
        )
        .await;
    let entry = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .rev()
        .find(|e| e["kind"].as_str().is_some_and(|k| k.contains("deviation")))
        .expect("the deviation raised is in the ledger");
    let decoded = |field: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(entry[field].as_str().expect("base64 field"))
            .expect("base64")
            .len()
    };
    decoded("entry_bytes") + decoded("payload_bytes")
}
