//! Lots and equipment: registered by QA, released, rejected and calibrated with QA's
//! signature; their tables are projections that verify checks and rebuild-projections remakes.

use cartrec::db::schema::lots;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{problem, TestApp, TestUser};

pub async fn register_lot(app: &TestApp, qa: &TestUser, material: &str, expiry: &str) -> String {
    let response = app
        .post(
            "/api/v1/lots",
            Some(&qa.token),
            &json!({ "material": material, "lot_number": "LN-2026-7", "supplier": "Miltenyi Biotec",
                     "expiry": expiry }),
        )
        .await;
    assert_eq!(response.status(), 201, "register {material}");
    let body: Value = response.json().await.expect("JSON");
    body["lot_id"].as_str().expect("lot id").to_owned()
}

pub async fn release_lot(app: &TestApp, qa: &TestUser, lot_id: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/lots/{lot_id}/release"),
        Some(&qa.token),
        &json!({ "signature": { "password": qa.password, "meaning": "approved" } }),
    )
    .await
}

pub async fn register_equipment(app: &TestApp, qa: &TestUser, id: &str, due: &str) {
    let response = app
        .post(
            "/api/v1/equipment",
            Some(&qa.token),
            &json!({ "id": id, "kind": "automated cell processor", "calibration_due": due }),
        )
        .await;
    assert_eq!(response.status(), 201, "register {id}");
}

/// Covers: GMP-MAT-3
#[tokio::test]
async fn a_lot_is_registered_in_quarantine_and_released_or_rejected_by_qa_signed() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let lot_id = register_lot(&app, &qa, "lentiviral_vector", "2030-01-31").await;
    assert_eq!(lot_id, "L000001");
    let listed: Value = app
        .get(
            "/api/v1/lots?material=lentiviral_vector",
            Some(&operator.token),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["lots"][0]["status"], "quarantine");
    assert_eq!(listed["lots"][0]["expiry"], "2030-01-31");
    let wrong_meaning = app
        .post(
            &format!("/api/v1/lots/{lot_id}/release"),
            Some(&qa.token),
            &json!({ "signature": { "password": qa.password, "meaning": "reviewed" } }),
        )
        .await;
    assert_eq!(problem(wrong_meaning).await.1["code"], "wrong_meaning");
    let released: Value = release_lot(&app, &qa, &lot_id)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(released["status"], "released");
    let (status, body) = problem(release_lot(&app, &qa, &lot_id).await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("lot_status"))
    );
    let no_reason = app
        .post(
            &format!("/api/v1/lots/{lot_id}/reject"),
            Some(&qa.token),
            &json!({ "signature": { "password": qa.password, "meaning": "approved" } }),
        )
        .await;
    assert_eq!(problem(no_reason).await.1["code"], "invalid_reason");
    let recalled: Value = app
        .post(
            &format!("/api/v1/lots/{lot_id}/reject"),
            Some(&qa.token),
            &json!({ "reason": "supplier recall 2026-11", "signature": { "password": qa.password, "meaning": "approved" } }),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(recalled["status"], "rejected");
    let stream = format!("lot/{lot_id}");
    let kinds: Vec<String> = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .filter(|e| e["stream"] == stream.as_str())
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "lot.registered",
            "lot.released",
            "signature.applied",
            "lot.rejected",
            "signature.applied"
        ]
    );
    let (status, body) = problem(release_lot(&app, &qa, "L999999").await).await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("lot_not_found"))
    );
}

/// Covers: A11-5
#[tokio::test]
async fn invalid_lots_and_equipment_are_refused_with_the_field_named() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let cases = [
        (
            json!({ "material": "Lenti Vector", "lot_number": "A1", "supplier": "S", "expiry": "2030-01-01" }),
            "invalid_material",
        ),
        (
            json!({ "material": "cytokine", "lot_number": "A 1", "supplier": "S", "expiry": "2030-01-01" }),
            "invalid_lot_number",
        ),
        (
            json!({ "material": "cytokine", "lot_number": "A1", "supplier": "S\u{202e}", "expiry": "2030-01-01" }),
            "invalid_supplier",
        ),
        (
            json!({ "material": "cytokine", "lot_number": "A1", "supplier": "S", "expiry": "2030-01-01", "certificate": "abc" }),
            "invalid_attachment",
        ),
    ];
    for (body, code) in cases {
        let (status, problem_body) =
            problem(app.post("/api/v1/lots", Some(&qa.token), &body).await).await;
        assert_eq!(
            (status.as_u16(), problem_body["code"].as_str()),
            (422, Some(code)),
            "{body}"
        );
    }
    let bad_date = app
        .post(
            "/api/v1/lots",
            Some(&qa.token),
            &json!({ "material": "cytokine", "lot_number": "A1", "supplier": "S", "expiry": "31/01/2030" }),
        )
        .await;
    assert_eq!(bad_date.status(), 400);
    register_equipment(&app, &qa, "PRODIGY-01", "2027-06-30").await;
    let (status, body) = problem(
        app.post(
            "/api/v1/equipment",
            Some(&qa.token),
            &json!({ "id": "PRODIGY-01", "kind": "again", "calibration_due": "2027-06-30" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("equipment_exists"))
    );
    let calibrate = |on: &str, due: &str| {
        json!({ "calibrated_on": on, "calibration_due": due,
                "signature": { "password": qa.password, "meaning": "approved" } })
    };
    let future = app
        .post(
            "/api/v1/equipment/PRODIGY-01/calibration",
            Some(&qa.token),
            &calibrate("2099-01-01", "2100-01-01"),
        )
        .await;
    assert_eq!(problem(future).await.1["code"], "invalid_calibration");
    let calibrated: Value = app
        .post(
            "/api/v1/equipment/PRODIGY-01/calibration",
            Some(&qa.token),
            &calibrate("2026-11-01", "2027-11-01"),
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(calibrated["calibration_due"], "2027-11-01");
    assert_eq!(calibrated["last_calibrated"], "2026-11-01");
}

/// Covers: GMP-EVT-3
#[tokio::test]
async fn a_projection_edited_in_the_database_is_named_and_rebuilt_from_the_ledger() {
    let app = crate::helpers::spawn_app().await;
    let qa = app.user_with_roles(&["qa"]).await;
    let lot_id = register_lot(&app, &qa, "culture_medium", "2030-01-31").await;
    register_equipment(&app, &qa, "FREEZER-02", "2027-01-31").await;
    let ok = app.run_cli(&["verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // Someone with database access releases the lot without QA's signature.
    diesel::update(lots::table.find(&lot_id))
        .set(lots::status.eq("released"))
        .execute(&mut app.db.connect())
        .expect("edited");
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("projection row not in a fresh fold of the ledger: lots"),
        "{stdout}"
    );
    assert!(stdout.contains("status: \"released\""), "{stdout}");
    let rebuilt = app.run_cli(&["rebuild-projections"]);
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert!(String::from_utf8_lossy(&rebuilt.stdout).starts_with("rebuilt the projections from "));
    let again = app.run_cli(&["verify"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    let listed: Value = app
        .get("/api/v1/lots", Some(&qa.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed["lots"][0]["status"], "quarantine");
}

async fn upload(app: &TestApp, user: &TestUser, bytes: &'static [u8]) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/attachments"))
        .bearer_auth(&user.token)
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .expect("sent")
}

/// Covers: GMP-MAT-4
#[tokio::test]
async fn attachments_are_stored_once_by_hash_and_verified() {
    let app = crate::helpers::spawn_app_with(|s| s.max_attachment_bytes = 64).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let certificate = b"%PDF-1.7 certificate of analysis";
    let first = upload(&app, &qa, certificate).await;
    assert_eq!(first.status(), 201);
    let sha256 = first.json::<Value>().await.expect("JSON")["sha256"]
        .as_str()
        .expect("hash")
        .to_owned();
    assert_eq!(
        sha256,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(certificate))
    );
    assert_eq!(upload(&app, &qa, certificate).await.status(), 200);
    let stored = app
        .get(
            &format!("/api/v1/attachments/{sha256}"),
            Some(&auditor.token),
        )
        .await;
    assert_eq!(stored.headers()["content-type"], "application/pdf");
    assert_eq!(stored.bytes().await.expect("bytes").as_ref(), certificate);
    let uploads = app
        .ledger_entries(&auditor)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "attachment.stored")
        .count();
    assert_eq!(uploads, 1);
    let (status, _) = problem(upload(&app, &qa, &[b'x'; 65]).await).await;
    assert_eq!(status, 413);
    let lot = app
        .post(
            "/api/v1/lots",
            Some(&qa.token),
            &json!({ "material": "cytokine", "lot_number": "IL15-3", "supplier": "S",
                     "expiry": "2030-01-01", "certificate": sha256 }),
        )
        .await;
    assert_eq!(
        lot.json::<Value>().await.expect("JSON")["certificate"],
        sha256.as_str()
    );
    diesel::update(cartrec::db::schema::attachments::table.find(&sha256))
        .set(cartrec::db::schema::attachments::bytes.eq(b"%PDF-1.7 forged".to_vec()))
        .execute(&mut app.db.connect())
        .expect("file swapped");
    let output = app.run_cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "attachment {sha256}: its stored bytes do not hash"
        )),
        "{stdout}"
    );
}
