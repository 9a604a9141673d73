//! The pages of accounts and master data in a real browser: an administrator creates a user
//! (the temporary password shown once), the user certifies their signature, QA approves the
//! roles with a signature while the creating administrator is refused; QA registers and
//! releases a lot, registers equipment and records its calibration, and reads and approves
//! the shipped template; an administrator unlocks, resets and deactivates an account. Each
//! action is then checked through the API.

use serde_json::{json, Value};

use crate::browser::{browser, Browser};
use crate::helpers::{spawn_app, TestApp, TestUser};

async fn sign(b: &Browser, password: &str) {
    b.type_into("#password", password).await;
    b.click("#sign").await;
}

async fn json_of(app: &TestApp, path: &str, user: &TestUser) -> Value {
    let response = app.get(path, Some(&user.token)).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("JSON")
}

async fn account(app: &TestApp, username: &str) -> Value {
    let users = json_of(app, "/api/v1/users", &app.admin).await;
    users["users"]
        .as_array()
        .and_then(|all| all.iter().find(|u| u["username"] == username).cloned())
        .expect("the account is listed")
}

/// Creates `username` with one role through the form; answers the temporary password shown.
async fn create_through_the_form(b: &Browser, username: &str) -> String {
    b.open("/admin/users").await;
    b.assert_accessible().await;
    b.screenshot("users").await;
    b.click("#new-user").await;
    b.type_into("#username", "Not A Name").await;
    b.type_into("#full_name", "Giulia Ferraro").await;
    b.tick("#roles-operator").await;
    b.assert_accessible().await;
    b.click("#create-user").await;
    assert!(
        b.text("#username-error").await.contains("not valid"),
        "the refusal is beside the user name"
    );
    assert_eq!(
        b.find("#full_name")
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("Giulia Ferraro"),
        "nothing typed is lost"
    );
    assert!(b
        .find("#roles-operator")
        .await
        .is_selected()
        .await
        .expect("ticked"));
    b.type_into("#username", username).await;
    b.click("#create-user").await;
    let temporary = b.text("#temporary-password").await;
    assert!(temporary.len() >= 12, "a temporary password is shown");
    assert!(b
        .text("#password-instruction")
        .await
        .contains("only this once"));
    assert!(b.text("#account-pending").await.contains("Operator"));
    b.assert_accessible().await;
    b.screenshot("user-created").await;
    b.click("#to-account").await;
    assert!(
        !b.has("#temporary-password").await,
        "the password is not shown again"
    );
    temporary
}

#[tokio::test]
async fn a_user_created_in_the_browser_certifies_and_qa_approves_the_roles_not_the_admin() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let qa = app.user_with_roles(&["qa"]).await;
    let username = "giulia.ferraro";
    b.log_in(&app.admin.username, &app.admin.password).await;
    let temporary = create_through_the_form(&b, username).await;
    let created = account(&app, username).await;
    assert_eq!(created["roles"], json!([]));
    assert_eq!(created["roles_pending"], json!(["operator"]));
    b.log_out().await;

    // The new user replaces the temporary password, then certifies the signature.
    b.log_in(username, &temporary).await;
    assert_eq!(b.path().await, "/password");
    let password = format!("Lasting-{}-passphrase", uuid::Uuid::new_v4().simple());
    b.type_into("#current_password", &temporary).await;
    b.type_into("#new_password", &password).await;
    b.click("#change-password").await;
    b.log_in(username, &password).await;
    assert!(b.has("#account-notice #certify").await, "asked to certify");
    b.click("#certify").await;
    assert!(b
        .text("#certified-statement")
        .await
        .contains("legally binding equivalent of my traditional handwritten signature"));
    assert!(b.text("#meaning").await.contains("Acknowledged"));
    assert_eq!(b.text("#signer").await, "Giulia Ferraro");
    b.assert_accessible().await;
    b.screenshot("acknowledge").await;
    sign(&b, "not my password").await;
    assert!(
        b.has("#password-error").await,
        "a wrong password is shown there"
    );
    sign(&b, &password).await;
    assert_eq!(b.path().await, "/");
    assert!(b.has("#notice").await);
    assert!(b
        .text("#account-notice")
        .await
        .contains("waiting for approval"));
    b.log_out().await;
    let user = TestUser {
        username: username.to_owned(),
        password: password.clone(),
        token: app.login_token(username, &password).await,
    };
    let me = json_of(&app, "/api/v1/users/me", &user).await;
    assert!(me["acknowledged_at"].is_string(), "certified: {me}");

    // The administrator who created the account may not approve its roles: said plainly.
    b.log_in(&app.admin.username, &app.admin.password).await;
    b.open("/approvals").await;
    b.click(&format!("[id='approve-{username}']")).await;
    sign(&b, &app.admin.password).await;
    let refusal = b.text("#form-error").await;
    assert!(refusal.contains("cannot approve"), "refused: {refusal}");
    b.log_out().await;

    b.log_in(&qa.username, &qa.password).await;
    b.click("a[href='/approvals']").await;
    assert!(b.text("#approvals").await.contains("Ready for approval"));
    b.assert_accessible().await;
    b.screenshot("approvals").await;
    b.click(&format!("[id='approve-{username}']")).await;
    assert!(b.text("#meaning").await.contains("Approved"));
    b.assert_accessible().await;
    sign(&b, &qa.password).await;
    assert!(b.text("#notice").await.contains(username));
    assert!(b.has("#approvals-none").await);
    let approved = account(&app, username).await;
    assert_eq!(approved["roles"], json!(["operator"]));
    assert_eq!(approved["roles_pending"], json!([]));
}

#[tokio::test]
async fn qa_registers_and_releases_a_lot_and_calibrates_equipment() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let qa = app.user_with_roles(&["qa"]).await;
    b.log_in(&qa.username, &qa.password).await;
    b.click("a[href='/lots']").await;
    b.click("#new-lot").await;
    b.type_into("#material", "lentiviral_vector").await;
    b.type_into("#lot_number", "LV-2026-031").await;
    b.type_into("#supplier", "Vector Biosystems").await;
    b.assert_accessible().await;
    b.click("#register-lot").await;
    assert!(b.has("#expiry-error").await, "a missing date is said there");
    assert_eq!(
        b.find("#supplier")
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("Vector Biosystems")
    );
    b.set_value("expiry", "2031-06-30").await;
    b.click("#register-lot").await;
    let row = b.text("#lot-L000001").await;
    assert!(
        row.contains("Quarantine") && row.contains("Not usable"),
        "{row}"
    );
    b.click("#release-L000001").await;
    assert!(b.text("#meaning").await.contains("Approved"));
    b.assert_accessible().await;
    sign(&b, &qa.password).await;
    assert!(b.text("#notice").await.contains("L000001"));
    assert!(!b.text("#lot-L000001").await.contains("Not usable"));
    b.assert_accessible().await;
    b.screenshot("lots").await;
    let lots = json_of(&app, "/api/v1/lots", &qa).await;
    assert_eq!(lots["lots"][0]["status"], "released");
    assert_eq!(lots["lots"][0]["expiry"], "2031-06-30");

    b.click("a[href='/equipment']").await;
    b.click("#new-equipment").await;
    b.type_into("#id", "PRODIGY-02").await;
    b.type_into("#kind", "CliniMACS Prodigy").await;
    b.set_value("calibration_due", "2020-01-31").await;
    b.assert_accessible().await;
    b.click("#register-equipment").await;
    assert!(
        b.text("#equipment-PRODIGY-02").await.contains("overdue"),
        "out of calibration is marked"
    );
    b.click("#calibrate-PRODIGY-02").await;
    let today = chrono::Utc::now().date_naive();
    let due = today + chrono::Duration::days(365);
    b.set_value("calibrated_on", &today.to_string()).await;
    b.set_value("calibration_due", &today.to_string()).await;
    sign(&b, &qa.password).await;
    assert!(
        b.text("#calibration_due-error").await.contains("due after"),
        "a due date before the calibration is refused beside it"
    );
    b.set_value("calibration_due", &due.to_string()).await;
    b.assert_accessible().await;
    sign(&b, &qa.password).await;
    assert!(b.text("#notice").await.contains("PRODIGY-02"));
    assert!(!b.text("#equipment-PRODIGY-02").await.contains("overdue"));
    b.assert_accessible().await;
    b.screenshot("equipment").await;
    let equipment = json_of(&app, "/api/v1/equipment", &qa).await;
    assert_eq!(
        equipment["equipment"][0]["last_calibrated"],
        today.to_string()
    );
    assert_eq!(
        equipment["equipment"][0]["calibration_due"],
        due.to_string()
    );
}

#[tokio::test]
async fn qa_reads_and_approves_the_shipped_template_but_not_one_they_imported() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let qa = app.user_with_roles(&["qa"]).await;
    let mut copy: Value = serde_json::from_slice(cartrec::services::templates::SHIPPED_CD19)
        .expect("the shipped template");
    copy["code"] = json!("cd19-car-t-copy");
    let imported = app.post("/api/v1/templates", Some(&qa.token), &copy).await;
    assert_eq!(imported.status(), 201);

    b.log_in(&qa.username, &qa.password).await;
    b.click("a[href='/templates']").await;
    assert!(b.text("#template-cd19-car-t-lv-1").await.contains("Draft"));
    b.assert_accessible().await;
    b.click("#template-cd19-car-t-lv-1 a").await;
    assert!(b.text("#template-status").await.contains("Draft"));
    assert!(b.text("#qc-tests").await.contains("Specification"));
    let receipt = b.text("#step-apheresis_receipt").await;
    assert!(
        receipt.contains("Chain of identity confirmed") && receipt.contains("Operator"),
        "{receipt}"
    );
    b.assert_accessible().await;
    b.screenshot("template").await;
    b.click("#approve-template").await;
    assert!(b.text("#meaning").await.contains("Approved"));
    b.assert_accessible().await;
    sign(&b, &qa.password).await;
    assert!(b.text("#notice").await.contains("cd19-car-t-lv v1"));
    let templates = json_of(&app, "/api/v1/templates", &qa).await;
    let shipped = templates["templates"]
        .as_array()
        .and_then(|all| all.iter().find(|t| t["code"] == "cd19-car-t-lv").cloned())
        .expect("listed");
    assert_eq!(shipped["status"], "approved");
    assert_eq!(shipped["approved_by"], qa.username.as_str());

    b.open("/templates/cd19-car-t-copy/1/approve").await;
    sign(&b, &qa.password).await;
    let refusal = b.text("#form-error").await;
    assert!(refusal.contains("you cannot approve it"), "{refusal}");
    b.screenshot("template-approval-refused").await;
}

#[tokio::test]
async fn an_admin_unlocks_resets_changes_roles_and_deactivates_an_account() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let user = app.user_with_roles(&["operator"]).await;
    for _ in 0..5 {
        app.login(&user.username, "wrong password").await;
    }
    assert!(account(&app, &user.username).await["locked_until"].is_string());

    b.log_in(&app.admin.username, &app.admin.password).await;
    b.open(&format!("/admin/users/{}", user.username)).await;
    assert!(b.text("#account-locked").await.contains("Locked until"));
    b.assert_accessible().await;
    b.click("#unlock").await;
    assert!(b.text("#notice").await.contains("unlocked"));
    assert!(account(&app, &user.username).await["locked_until"].is_null());

    b.tick("#roles-qc_analyst").await;
    b.click("#change-roles").await;
    assert!(b.text("#account-pending").await.contains("QC analyst"));
    let changed = account(&app, &user.username).await;
    assert_eq!(changed["roles"], json!(["operator"]));
    assert_eq!(changed["roles_pending"], json!(["operator", "qc_analyst"]));

    b.click("#reset-password").await;
    let temporary = b.text("#temporary-password").await;
    assert_eq!(app.login(&user.username, &temporary).await.status(), 200);
    b.click("#to-account").await;

    b.click("#deactivate").await;
    assert!(
        b.has("#reason-error").await,
        "a reason is needed, said there"
    );
    b.type_into("#reason", "Left the company").await;
    b.click("#deactivate").await;
    assert!(b.text("#account-status").await.contains("Deactivated"));
    assert_eq!(account(&app, &user.username).await["active"], false);
    assert_ne!(app.login(&user.username, &temporary).await.status(), 200);
}
