//! QC and QA's oversight through the web UI in a real browser: a QC result entered against its
//! specification with the verdict shown, a re-test, a refused self-verification and a second
//! analyst's verification; a deviation raised by an operator, classified and closed by QA; a
//! correction with its reason, verified and approved; a hold and its lifting. Set up through
//! the API; what the pages did is checked through the API afterwards.

use serde_json::Value;

use crate::browser::{browser, Browser};
use crate::helpers::{spawn_app, TestUser};
use crate::release_support::{manufactured, team, view};

async fn sign_in(b: &Browser, who: &TestUser) {
    b.log_in(&who.username, &who.password).await;
    assert_eq!(b.path().await, "/", "{} signed in", who.username);
}

/// Signs the dialog on the page with `who`'s password.
async fn sign(b: &Browser, who: &TestUser) {
    assert!(b.has("#signature-statement").await, "a signature dialog");
    b.type_into("#password", &who.password).await;
    b.click("#sign").await;
}

fn qc_result<'a>(batch: &'a Value, test: &str) -> Vec<&'a Value> {
    batch["qc_results"]
        .as_array()
        .expect("qc results")
        .iter()
        .filter(|r| r["test_id"] == test)
        .collect()
}

#[tokio::test]
async fn qc_results_are_entered_against_their_specification_and_verified_by_a_second_analyst() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let team = team(&app).await;
    let (batch, _) = manufactured(&app, &team).await;

    sign_in(&b, &team.qc1).await;
    let work = format!("section[aria-labelledby='work-qc'] a[href='/batches/{batch}/qc']");
    assert!(
        b.has(&work).await,
        "the batch is on the analyst's work list"
    );
    b.assert_accessible().await;
    b.click(&work).await;
    assert_eq!(b.text("#spec-viability").await, "≥ 70 %");
    b.assert_accessible().await;

    b.click("#record-viability").await;
    assert!(
        b.text("#result-hint").await.contains("≥ 70 %"),
        "the specification beside the field"
    );
    b.type_into("#result", "92.5").await;
    b.assert_accessible().await;
    b.screenshot("qc-entry").await;
    b.click("#review").await;
    assert!(b.text("#meaning").await.contains("Performed"));
    b.assert_accessible().await;
    sign(&b, &team.qc1).await;
    assert!(b.text("#notice").await.contains("viability"));
    assert_eq!(b.text("#verdict-viability").await, "Pass");

    // Out of specification: the verdict says so, and a re-test needs its reason.
    b.click("#record-car_expression").await;
    b.type_into("#result", "5").await;
    b.click("#review").await;
    sign(&b, &team.qc1).await;
    assert_eq!(
        b.text("#verdict-car_expression").await,
        "Out of specification"
    );
    b.screenshot("qc-verdict").await;
    b.click("#record-car_expression").await;
    b.type_into("#result", "35").await;
    b.click("#review").await;
    sign(&b, &team.qc1).await;
    assert!(
        b.text("#retest_reason-error").await.contains("reason"),
        "a re-test without its reason is refused beside the field"
    );
    assert_eq!(
        b.find("#result")
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .as_deref(),
        Some("35"),
        "nothing typed is lost"
    );
    b.type_into(
        "#retest_reason",
        "sample mix-up found by the laboratory investigation LI-0193",
    )
    .await;
    b.click("#review").await;
    sign(&b, &team.qc1).await;
    assert_eq!(b.text("#verdict-car_expression").await, "Pass");

    // The analyst may not verify their own result: refused, and said so plainly.
    b.click("#verify-viability").await;
    sign(&b, &team.qc1).await;
    let refusal = b.text("#form-error").await;
    assert!(
        refusal.contains("cannot verify"),
        "self-verification refused readably: {refusal}"
    );
    b.log_out().await;

    sign_in(&b, &team.qc2).await;
    b.open(&format!("/batches/{batch}/qc/viability/verify"))
        .await;
    assert!(b.text("#meaning").await.contains("Verified"));
    b.assert_accessible().await;
    sign(&b, &team.qc2).await;
    assert!(b.text("#qc-viability").await.contains(&team.qc2.username));

    let record = view(&app, &team.site.qa, &batch).await;
    let viability = qc_result(&record, "viability");
    assert_eq!(viability.len(), 1);
    assert_eq!(viability[0]["result"], "92.5");
    assert_eq!(viability[0]["verdict"], "pass");
    assert_eq!(viability[0]["recorded_by"], team.qc1.username.as_str());
    assert_eq!(viability[0]["verified_by"], team.qc2.username.as_str());
    let car = qc_result(&record, "car_expression");
    assert_eq!(car.len(), 2, "the OOS result stays beside its re-test");
    assert_eq!(car[0]["verdict"], "oos");
    assert_eq!(car[1]["verdict"], "pass");
    assert!(car[1]["comment"]
        .as_str()
        .is_some_and(|c| c.contains("LI-0193")));
}

#[tokio::test]
async fn qa_oversees_a_batch_deviations_corrections_and_a_hold_through_the_ui() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let team = team(&app).await;
    let site = &team.site;
    let (batch, _) = manufactured(&app, &team).await;

    // An operator raises a deviation by hand, and corrects a value of a step they performed.
    sign_in(&b, &site.op1).await;
    b.open(&format!("/batches/{batch}")).await;
    b.click("#open-deviations").await;
    b.assert_accessible().await;
    b.click("#raise-deviation").await;
    b.assert_accessible().await;
    b.click("#review").await;
    assert!(
        b.has("#description-error").await,
        "an empty description is refused beside it"
    );
    b.type_into(
        "#description",
        "Label of bag B2 smudged at cryopreservation; relabelled under QA witness",
    )
    .await;
    b.choose("step", "cryopreservation").await;
    b.click("#review").await;
    assert!(b.text("#deviation-1").await.contains("smudged"));

    b.open(&format!("/batches/{batch}/corrections")).await;
    b.assert_accessible().await;
    b.click("#correct-apheresis_receipt-1").await;
    b.choose("field", "volume").await;
    b.type_into("#value", "260").await;
    b.type_into("#reason", "transcription error: the bag label reads 260 mL")
        .await;
    b.assert_accessible().await;
    b.click("#review").await;
    sign(&b, &site.op1).await;
    assert!(b.text("#notice").await.contains("correction"));
    b.log_out().await;

    // The record had been verified: a second operator verifies the correction.
    sign_in(&b, &site.op2).await;
    b.open(&format!("/batches/{batch}/corrections")).await;
    b.click("#verify-correction-1").await;
    assert!(b.text("#meaning").await.contains("Verified"));
    sign(&b, &site.op2).await;
    b.log_out().await;

    // QA: the work list shows both; classify and close the deviation, approve the correction.
    sign_in(&b, &site.qa).await;
    let deviations = b.text("section[aria-labelledby='work-deviations']").await;
    assert!(deviations.contains(&batch), "{deviations}");
    let corrections = b.text("section[aria-labelledby='work-corrections']").await;
    assert!(corrections.contains(&batch), "{corrections}");
    b.assert_accessible().await;
    b.open("/deviations").await;
    b.assert_accessible().await;
    b.click(&format!(
        "a[href='/batches/{batch}/deviations#deviation-1']"
    ))
    .await;
    assert!(!b.has("#close-1").await, "closed only once classified");
    b.click("#classify-1").await;
    b.assert_accessible().await;
    b.tick("#classification-major").await;
    b.click("#review").await;
    assert_eq!(b.text("#deviation-1-classification").await, "Major");
    b.click("#close-1").await;
    b.type_into(
        "#investigation",
        "Label reprinted from the batch record; bag identity confirmed by two operators",
    )
    .await;
    b.type_into(
        "#root_cause",
        "condensation on the bag at transfer to the freezer",
    )
    .await;
    b.type_into("#capa_ref", "CAPA-2026-051").await;
    b.assert_accessible().await;
    b.click("#review").await;
    assert!(b.text("#meaning").await.contains("Approved"));
    sign(&b, &site.qa).await;
    assert!(b.text("#deviation-1").await.contains("CAPA-2026-051"));
    b.screenshot("deviation").await;

    b.open("/corrections").await;
    b.assert_accessible().await;
    b.click("#approve-correction-1").await;
    sign(&b, &site.qa).await;
    assert!(b.text("#notice").await.contains("approved"));
    b.screenshot("correction").await;

    // A hold with its reason, shown on the batch, then lifted.
    b.open(&format!("/batches/{batch}/deviations")).await;
    b.click("#hold").await;
    b.assert_accessible().await;
    b.type_into("#reason", "sterility of the final product in question")
        .await;
    b.click("#review").await;
    sign(&b, &site.qa).await;
    assert!(b.text("#on-hold").await.contains("sterility"));
    b.screenshot("hold").await;
    b.click("#resume").await;
    b.type_into("#reason", "sterility confirmed by the retained sample")
        .await;
    b.click("#review").await;
    sign(&b, &site.qa).await;
    assert!(!b.has("#on-hold").await, "the hold is lifted");

    let record = view(&app, &site.qa, &batch).await;
    let deviation = &record["deviations"][0];
    assert_eq!(deviation["raised_by"], site.op1.username.as_str());
    assert_eq!(deviation["step_id"], "cryopreservation");
    assert_eq!(deviation["classification"], "major");
    assert_eq!(deviation["state"], "closed");
    assert_eq!(deviation["closure"]["capa_ref"], "CAPA-2026-051");
    let volume = &record["steps"][0]["records"][0]["values"]["volume"];
    assert_eq!(volume["value"], "260");
    let change = &volume["history"][1];
    assert_eq!(
        change["reason"],
        "transcription error: the bag label reads 260 mL"
    );
    assert_eq!(change["verified_by"], site.op2.username.as_str());
    assert_eq!(change["approved_by"], site.qa.username.as_str());
    assert_eq!(change["status"], "in effect");
    assert!(record["hold"].is_null(), "{record}");
}
