//! The web UI in a real browser: people sign in, start a batch, record a step through the
//! form the template generates, sign it, and a colleague verifies it; the refusals a person
//! meets are shown as readable messages; the main pages pass axe-core; each language shows.

use crate::batch_support::site;
use crate::browser::browser;
use crate::helpers::{spawn_app, TestApp, TestUser};

/// A new account's first sign-in through the UI: the temporary password must be replaced
/// before anything else, then the person signs in again with their own.
async fn first_sign_in(
    app: &TestApp,
    b: &crate::browser::Browser,
    roles: &[&str],
) -> (String, String) {
    let (username, temporary) = app.create_user(roles).await;
    b.log_in(&username, &temporary).await;
    assert_eq!(
        b.path().await,
        "/password",
        "a temporary password leads to the change"
    );
    assert!(b.has(".notice").await);
    let password = format!("Lasting-{}-passphrase", uuid::Uuid::new_v4().simple());
    b.type_into("#current_password", &temporary).await;
    b.type_into("#new_password", &password).await;
    b.click("#change-password").await;
    if b.path().await != "/login" {
        panic!("password not changed: {}", b.text("#form-error").await);
    }
    (username, password)
}

#[tokio::test]
async fn an_operator_signs_in_changes_the_temporary_password_and_cannot_skip_it() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let (username, temporary) = app.create_user(&["operator"]).await;
    b.log_in(&username, "not the password").await;
    assert_eq!(b.path().await, "/login");
    assert!(
        b.text("#form-error").await.contains("password is wrong"),
        "a wrong password is said so"
    );
    b.screenshot("login-refused").await;
    b.assert_accessible().await;
    b.log_in(&username, &temporary).await;
    assert_eq!(b.path().await, "/password");
    b.assert_accessible().await;
    b.screenshot("password-change").await;
    b.open("/batches").await;
    assert!(
        b.text("#error-message").await.len() > 10,
        "nothing else before the change"
    );
    b.open("/").await;
    assert_eq!(b.path().await, "/password");
}

#[tokio::test]
async fn a_batch_is_started_recorded_signed_and_verified_through_the_ui_alone() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let site = site(&app).await;
    let (op1, op1_password) = first_sign_in(&app, &b, &["operator"]).await;
    let (op2, op2_password) = first_sign_in(&app, &b, &["operator"]).await;
    for user in [(&*op1, &*op1_password), (&*op2, &*op2_password)] {
        acknowledge_and_approve(&app, user, &site.qa).await;
    }

    b.log_in(&op1, &op1_password).await;
    assert_eq!(b.path().await, "/");
    b.assert_accessible().await;
    b.screenshot("work-list").await;
    b.click("#start-batch").await;
    b.type_into("#patient_code", "ER-LUP-007").await;
    b.set_value("date_of_birth", "2014-05-02").await;
    b.type_into("#treating_site", "Erlangen").await;
    b.type_into("#patient_weight_kg", "thirty").await;
    b.assert_accessible().await;
    b.click("#create-batch").await;
    assert!(
        b.has("#patient_weight_kg-error").await,
        "the refusal is beside its field"
    );
    assert_eq!(
        b.find("#patient_code")
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("ER-LUP-007"),
        "nothing typed is lost"
    );
    b.screenshot("batch-start-refused").await;
    b.type_into("#patient_weight_kg", "31.5").await;
    b.click("#create-batch").await;
    let batch = b.text("#batch-number").await;
    let coi = b.text("#batch-coi").await;
    assert!(b.path().await.ends_with(&batch));
    b.assert_accessible().await;
    b.screenshot("batch-record").await;

    record_apheresis_receipt(&b, &coi, &op1_password).await;
    assert!(b.text("#notice").await.contains("apheresis_receipt"));
    assert!(b
        .text("#step-apheresis_receipt")
        .await
        .contains("Waiting for verification"));

    // The performer may not verify their own step: refused, and said so plainly.
    b.click("#verify-apheresis_receipt").await;
    b.type_into("#password", &op1_password).await;
    b.click("#sign").await;
    let refusal = b.text("#form-error").await;
    assert!(
        refusal.contains("colleague"),
        "self-verification refused readably: {refusal}"
    );
    b.screenshot("self-verification-refused").await;
    b.log_out().await;

    b.log_in(&op2, &op2_password).await;
    assert!(
        b.text("#to-verify-heading + table").await.contains(&batch),
        "on the colleague's work list"
    );
    b.open(&format!("/batches/{batch}/steps/apheresis_receipt/verify"))
        .await;
    assert!(b.text("#meaning").await.contains("Verified"));
    b.assert_accessible().await;
    b.screenshot("verify-dialog").await;
    b.type_into("#password", "wrong password").await;
    b.click("#sign").await;
    assert!(
        b.has("#password-error").await,
        "a wrong password is shown at the password"
    );
    b.type_into("#password", &op2_password).await;
    b.click("#sign").await;
    assert!(b.text("#step-apheresis_receipt").await.contains("Done"));
    let steps: serde_json::Value = app
        .get(&format!("/api/v1/batches/{batch}"), Some(&site.qa.token))
        .await
        .json()
        .await
        .expect("JSON");
    let receipt = &steps["steps"][0]["records"][0];
    assert_eq!(receipt["performed_by"], op1.as_str());
    assert_eq!(receipt["verified_by"], op2.as_str());
    assert_eq!(
        receipt["values"]["volume"]["value"], "250",
        "the ledger keeps what was typed"
    );
}

/// Fills the receipt form, scans the chain of identity (the scanner ends with Enter, which
/// goes on to the signature dialog), and signs.
async fn record_apheresis_receipt(b: &crate::browser::Browser, coi: &str, password: &str) {
    b.click("#record-apheresis_receipt").await;
    b.assert_accessible().await;
    b.type_into("[id='f.collection_id']", "APH-2026-117").await;
    b.tick("input[name='f.label_matches_patient'][value='true']")
        .await;
    b.set_value("f.collection_end", "2026-11-19T15:00").await;
    b.set_value("f.received_at", "2026-11-20T09:00").await;
    b.type_into("[id='f.transport_temperature']", "4").await;
    b.choose("f.bag_integrity", "intact").await;
    b.type_into("[id='f.volume']", "250").await;
    b.type_into("[id='f.total_nucleated_cells']", "5e9").await;
    b.type_into("[id='f.cd3_percent']", "45").await;
    b.type_into("[id='f.viability']", "92").await;
    b.screenshot("step-form").await;
    b.scan_into("#coi", coi).await;
    assert!(
        b.has("#signature-statement").await,
        "the scanner's Enter opens the signature dialog"
    );
    assert!(b.text("#meaning").await.contains("Performed"));
    b.assert_accessible().await;
    b.screenshot("signature-dialog").await;
    b.type_into("#password", password).await;
    b.click("#sign").await;
}

/// The signature certification and the role approval, through the API (their pages come
/// with the account pages).
async fn acknowledge_and_approve(app: &TestApp, (username, password): (&str, &str), qa: &TestUser) {
    let user = TestUser {
        username: username.to_owned(),
        password: password.to_owned(),
        token: app.login_token(username, password).await,
    };
    app.acknowledge(&user).await;
    assert_eq!(
        app.approve(qa, username).await.status(),
        200,
        "roles of {username} approved"
    );
}

#[tokio::test]
async fn each_language_shows_its_own_words() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    b.open("/login").await;
    assert_eq!(b.text("h1").await, "Sign in to cartrec");
    for (lang, heading) in [("it", "Accedi a cartrec"), ("de", "Bei cartrec anmelden")] {
        b.choose("language-switch", lang).await;
        b.click("form.language button").await;
        assert_eq!(b.text("h1").await, heading);
        assert_eq!(
            b.find("html")
                .await
                .attr("lang")
                .await
                .ok()
                .flatten()
                .as_deref(),
            Some(lang)
        );
        b.screenshot(&format!("login-{lang}")).await;
    }
}
