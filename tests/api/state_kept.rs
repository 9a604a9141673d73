//! State kept, not recomputed: a write reads its batch's stream and its template once, and
//! hands the fold it decided on to the projections and to the answer. Counted by the
//! instance's own metrics (`cartrec_request_work`), read before and after.

use reqwest::header::COOKIE;
use serde_json::json;

use crate::batch_support::{create_batch, record, run_until, site, verify};
use crate::metrics::{scrape, spawn_with_metrics, value};
use crate::ui_security::{client, sign_in};

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

/// A batch with an open deviation raised by hand and a correction waiting for a second
/// person's verification.
async fn batch_with_qa_work(
    app: &crate::helpers::TestApp,
    site: &crate::batch_support::Site,
) -> String {
    let created = create_batch(app, &site.op1, None).await;
    let number = created["batch_number"].as_str().expect("number").to_owned();
    let coi = created["coi"].as_str().expect("coi");
    let values = site.values("apheresis_receipt");
    let recorded = record(
        app,
        &site.op1,
        &number,
        "apheresis_receipt",
        values,
        Some(coi),
    )
    .await;
    assert_eq!(recorded.status(), 201);
    let verified = verify(app, &site.op2, &number, "apheresis_receipt").await;
    assert_eq!(verified.status(), 200);
    let corrected = app
        .post(
            &format!("/api/v1/batches/{number}/corrections"),
            Some(&site.op1.token),
            &json!({ "step_id": "apheresis_receipt", "record": 1, "field_id": "viability",
                     "value": "93", "reason": "transcription error",
                     "signature": { "password": site.op1.password, "meaning": "performed" } }),
        )
        .await;
    assert_eq!(
        corrected.status(),
        201,
        "{}",
        corrected.text().await.unwrap_or_default()
    );
    let raised = app
        .post(
            &format!("/api/v1/batches/{number}/deviations"),
            Some(&site.op2.token),
            &json!({ "description": "bag label smudged at receipt" }),
        )
        .await;
    assert_eq!(raised.status(), 201);
    number
}

/// Statements the instance ran to answer each of QA's pages across batches, in turn; each
/// page must list every batch in `numbers`.
async fn queries_per_page(
    app: &crate::helpers::TestApp,
    url: &str,
    session: &str,
    numbers: &[String],
) -> Vec<f64> {
    let http = client();
    let mut counts = vec![];
    for page in ["/", "/deviations", "/corrections"] {
        let before = value(
            &scrape(app, url).await,
            "cartrec_request_work",
            &[("what", "queries")],
        );
        let shown = http
            .get(app.url(page))
            .header(COOKIE, session)
            .send()
            .await
            .expect("page");
        assert_eq!(shown.status(), 200, "{page}");
        let html = shown.text().await.expect("html");
        for number in numbers {
            assert!(html.contains(number.as_str()), "{page} lists {number}");
        }
        let after = value(
            &scrape(app, url).await,
            "cartrec_request_work",
            &[("what", "queries")],
        );
        counts.push(after - before);
    }
    counts
}

/// Covers: GMP-EVT-5
#[tokio::test]
async fn qa_lists_across_batches_cost_the_same_with_one_open_batch_or_many() {
    let (app, url) = spawn_with_metrics(|_| {}).await;
    let site = site(&app).await;
    let mut numbers = vec![batch_with_qa_work(&app, &site).await];
    let (session, _) = sign_in(&app, &site.qa.username, &site.qa.password).await;
    // Once to settle whatever a first visit does (a session's first sight, kept templates).
    queries_per_page(&app, &url, &session, &numbers).await;
    let with_one = queries_per_page(&app, &url, &session, &numbers).await;
    for _ in 0..4 {
        numbers.push(batch_with_qa_work(&app, &site).await);
    }
    let with_five = queries_per_page(&app, &url, &session, &numbers).await;
    assert_eq!(
        with_one, with_five,
        "queries for the QA home page, /deviations and /corrections"
    );

    // The rows follow the events: a correction verified leaves QA's list.
    let first = &numbers[0];
    let verified = app
        .post(
            &format!("/api/v1/batches/{first}/corrections/1/verify"),
            Some(&site.op2.token),
            &json!({ "signature": { "password": site.op2.password, "meaning": "verified" } }),
        )
        .await;
    assert_eq!(verified.status(), 200);
    let waiting = client()
        .get(app.url("/corrections"))
        .header(COOKIE, &session)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!waiting.contains(first.as_str()) && waiting.contains(numbers[1].as_str()));
    // And they are what a fresh replay of the ledger makes.
    let auditor = app.user_with_roles(&["auditor"]).await;
    let report: serde_json::Value = app
        .get("/api/v1/ledger/verify", Some(&auditor.token))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(report["projection_mismatches"], json!([]), "{report}");
}
