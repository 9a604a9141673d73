//! State kept, not recomputed: a write reads its batch's stream and its template once, and
//! hands the fold it decided on to the projections and to the answer. Counted by the
//! instance's own metrics (`cartrec_request_work`), read before and after.

use crate::batch_support::{create_batch, record, run_until, site, verify};
use crate::metrics::{scrape, spawn_with_metrics, value};

/// Batch and template stream reads of this instance's requests so far.
async fn reads(app: &crate::helpers::TestApp, url: &str) -> (f64, f64) {
    let text = scrape(app, url).await;
    let read = |what| value(&text, "cartrec_request_work", &[("what", what)]);
    (read("batch_stream_reads"), read("template_stream_reads"))
}

/// Covers: GMP-EVT-4
#[tokio::test]
async fn a_signed_step_reads_its_batch_stream_once_and_its_template_once() {
    let (app, url) = spawn_with_metrics(|_| {}).await;
    let site = site(&app).await;
    let batch = create_batch(&app, &site.op1, None).await;
    let number = batch["batch_number"].as_str().expect("number");
    let coi = batch["coi"].as_str().expect("coi");
    run_until(&app, &site, number, coi, "transduction").await;

    let before = reads(&app, &url).await;
    let values = site.values("transduction");
    let recorded = record(&app, &site.op1, number, "transduction", values, Some(coi)).await;
    assert_eq!(recorded.status(), 201);
    let after = reads(&app, &url).await;
    // The template is read at most once: a batch kept folded holds the version it is
    // pinned to, which never changes.
    assert_eq!(
        after.0 - before.0,
        1.0,
        "a signed step reads its batch stream once"
    );
    assert!(after.1 - before.1 <= 1.0, "and its template at most once");

    let verified = verify(&app, &site.op2, number, "transduction").await;
    assert_eq!(verified.status(), 200);
    let page = app
        .get(&format!("/api/v1/batches/{number}"), Some(&site.op2.token))
        .await;
    assert_eq!(page.status(), 200);
    let end = reads(&app, &url).await;
    assert_eq!(
        end.0 - after.0,
        2.0,
        "a verification and a read of the record"
    );
    assert!(end.1 - after.1 <= 2.0);
}
