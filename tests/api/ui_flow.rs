//! One batch from its start to the patient's follow-up through the web UI alone, as each role
//! would take it in a real browser: operators record and verify every manufacturing step
//! (lots and equipment picked, files attached, the chain of identity scanned), one of them is
//! refused verifying their own step, QC analysts record and verify every release test, the QP
//! certifies, an operator ships, the ward receives, a wrong wristband stops the bedside check,
//! the right one passes with a witness, the infusion and a follow-up visit are recorded. Only
//! the site's master data (accounts, the approved template, released lots, equipment) is set
//! up beforehand through the API; the pages for those have their own tests (`ui_admin`).

use serde_json::Value;

use crate::batch_support::STEPS;
use crate::browser::{browser, Browser};
use crate::helpers::{spawn_app, TestUser};
use crate::release_support::{team, view, PASSING};
use crate::ui_release::{
    bedside_passes, infusion_and_follow_up, on_batch_page, receive_on_the_ward, sign,
    wrong_wristband,
};

#[tokio::test]
async fn a_batch_goes_from_its_start_to_the_patients_follow_up_through_the_ui_alone() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let team = team(&app).await;
    let (op1, op2) = (&team.site.op1, &team.site.op2);

    b.log_in(&op1.username, &op1.password).await;
    b.click("#start-batch").await;
    b.type_into("#patient_code", "RM-SSC-012").await;
    b.set_value("date_of_birth", "2012-09-14").await;
    b.type_into("#treating_site", "Roma").await;
    b.type_into("#patient_weight_kg", "31.5").await;
    b.click("#create-batch").await;
    let batch = b.text("#batch-number").await;
    let coi = b.text("#batch-coi").await;

    for (i, step) in STEPS.iter().enumerate() {
        let (performer, verifier) = if i % 2 == 0 { (op1, op2) } else { (op2, op1) };
        as_user(&b, performer).await;
        record_step(&b, &batch, step, &team.site.values(step), &coi, performer).await;
        if *step == "apheresis_receipt" {
            // The performer may not verify their own step: refused, and said so plainly.
            b.open(&format!("/batches/{batch}/steps/{step}/verify"))
                .await;
            sign(&b, performer).await;
            assert!(b.text("#form-error").await.contains("colleague"));
        }
        if *step != "expansion" {
            as_user(&b, verifier).await;
            b.open(&format!("/batches/{batch}/steps/{step}/verify"))
                .await;
            sign(&b, verifier).await;
            on_batch_page(&b, &batch).await;
        }
    }
    assert_eq!(view(&app, op1, &batch).await["state"], "qc_pending");

    as_user(&b, &team.qc1).await;
    for (test, result) in PASSING {
        b.open(&format!("/batches/{batch}/qc")).await;
        b.click(&format!("#record-{test}")).await;
        if b.has("input[name='result'][value='pass']").await {
            b.tick("input[name='result'][value='pass']").await;
        } else {
            b.type_into("#result", result).await;
        }
        b.click("#review").await;
        sign(&b, &team.qc1).await;
    }
    as_user(&b, &team.qc2).await;
    for (test, _) in PASSING {
        b.open(&format!("/batches/{batch}/qc/{test}/verify")).await;
        sign(&b, &team.qc2).await;
    }
    assert_eq!(view(&app, op1, &batch).await["state"], "awaiting_release");

    as_user(&b, &team.qp).await;
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-review").await;
    b.click("#decide-released").await;
    sign(&b, &team.qp).await;
    assert_eq!(view(&app, op1, &batch).await["state"], "released");

    as_user(&b, op1).await;
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-ship").await;
    b.type_into("#shipper_id", "Cryoport").await;
    b.type_into("#container_id", "DRY-SHIPPER-0042").await;
    b.type_into("#logger_id", "LOG-7781").await;
    sign(&b, op1).await;
    on_batch_page(&b, &batch).await;
    b.log_out().await;

    receive_on_the_ward(&b, &team.cl1, &batch).await;
    // Another patient's wristband: the chain of identity of another batch.
    let (_, other) = crate::release_support::new_batch(&app, &team).await;
    let stopped = wrong_wristband(&b, &team.cl1, &batch, (&coi, &other)).await;
    assert_eq!(stopped, other);
    bedside_passes(&b, &team, &batch, &coi).await;
    infusion_and_follow_up(&b, &team.cl2, &batch).await;

    let done: Value = view(&app, op1, &batch).await;
    assert_eq!(done["state"], "infused");
    assert_eq!(done["coi_mismatches"], 1);
    for step in done["steps"].as_array().expect("steps") {
        assert_eq!(step["status"], "done", "{step}");
    }
}

/// Signs out whoever is signed in, and signs `who` in.
async fn as_user(b: &Browser, who: &TestUser) {
    if b.has("#logout").await {
        b.log_out().await;
    }
    b.log_in(&who.username, &who.password).await;
}

/// Fills a step's form from the values the API tests record, attaching a file where the step
/// takes one and scanning the chain of identity where it asks for it, then signs.
async fn record_step(
    b: &Browser,
    batch: &str,
    step: &str,
    values: &Value,
    coi: &str,
    who: &TestUser,
) {
    b.open(&format!("/batches/{batch}/steps/{step}")).await;
    for (field, value) in values.as_object().expect("values") {
        let css = format!("[id='f.{field}']");
        if let Value::Bool(answer) = value {
            b.tick(&format!("input[name='f.{field}'][value='{answer}']"))
                .await;
            continue;
        }
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        let kind = b.find(&css).await.attr("type").await.ok().flatten();
        match kind.as_deref() {
            Some("datetime-local") => b.set_value(&format!("f.{field}"), &text[..16]).await,
            Some("file") => {
                let path =
                    std::env::temp_dir().join(format!("{field}-{}.txt", uuid::Uuid::new_v4()));
                std::fs::write(&path, format!("{step} {field} record")).expect("file written");
                b.find(&css)
                    .await
                    .send_keys(&path.display().to_string())
                    .await
                    .expect("file");
            }
            _ if b.has(&format!("select{css}")).await => {
                b.choose(&format!("f.{field}"), &text).await
            }
            _ => b.type_into(&css, &text).await,
        }
    }
    if b.has("#coi").await {
        b.scan_into("#coi", coi).await;
    } else {
        b.click("#review").await;
    }
    assert!(
        b.has("#signature-statement").await,
        "{step}: the signature dialog"
    );
    sign(b, who).await;
    on_batch_page(b, batch).await;
}
