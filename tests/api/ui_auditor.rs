//! The auditor in the browser: verifies the ledger with a button, reads the newest signed
//! checkpoint and the verifier key, filters the audit trail, opens a batch's printable record
//! and finds nothing to write.

use crate::batch_support::{create_batch, record, site};
use crate::browser::browser;
use crate::helpers::spawn_app;

#[tokio::test]
async fn an_auditor_verifies_the_ledger_filters_the_audit_trail_and_reads_a_record() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let batch = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi").to_owned();
    let values = site.values("apheresis_receipt");
    let recorded = record(
        &app,
        &site.op1,
        &batch,
        "apheresis_receipt",
        values,
        Some(&coi),
    )
    .await;
    assert_eq!(recorded.status(), 201);
    let auditor = app.user_with_roles(&["auditor"]).await;
    let note = app.sign_checkpoint(&auditor).await;
    let (size, _) = crate::helpers::checkpoint_head(&note);

    b.log_in(&auditor.username, &auditor.password).await;
    b.click("a[href='/ledger']").await;
    assert_eq!(b.text("#checkpoint-size").await, size.to_string());
    b.click("#verify-ledger").await;
    assert!(
        b.text("#verify-result")
            .await
            .contains("The ledger verifies"),
        "{}",
        b.text("#verify-result").await
    );
    b.assert_accessible().await;
    b.screenshot("ledger-verify").await;

    b.click("a[href='/audit']").await;
    b.type_into("#batch", &batch).await;
    b.type_into("#kind", "batch.step_recorded").await;
    b.click("#filter").await;
    let rows = b.text("#audit-rows tbody").await;
    assert!(
        rows.contains("batch.step_recorded") && rows.contains(&site.op1.username),
        "{rows}"
    );
    assert!(!rows.contains("batch.created"), "the kind filter holds");
    b.assert_accessible().await;
    b.screenshot("audit-trail").await;
    b.type_into("#kind", "not a kind").await;
    b.click("#filter").await;
    assert!(b.has("#form-error").await, "a wrong filter is said so");

    b.open(&format!("/batches/{batch}")).await;
    assert!(
        !b.has("a[id^='record-apheresis']").await && !b.has("a[id^='verify-']").await,
        "nothing to write"
    );
    assert!(b.has("#record-pdf").await && b.has("#bundle").await);
    b.click("#record-html").await;
    assert!(
        b.client.source().await.expect("html").contains(&batch),
        "the printable record opens"
    );
}
