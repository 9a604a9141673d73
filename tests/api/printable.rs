//! The printable batch record: the PDF and the HTML page carry the batch number, every
//! signature's manifestation (printed name, meaning, date and time, accents intact) and, in
//! the footer, the checkpoint the record was printed against.

use chrono::{DateTime, Utc};
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::batch_support::run_until;
use crate::helpers::{problem, spawn_app, TestApp, TestUser};
use crate::release_support::{
    correct, expect_status, expect_success, hold, new_batch, raise_deviation, released, team, view,
};

/// A QP whose printed name needs more than ASCII, as Italian and German names do.
async fn qp_named(app: &TestApp, full_name: &str) -> TestUser {
    let created = app
        .post(
            "/api/v1/users",
            Some(&app.admin.token),
            &json!({ "username": "qpaccents", "full_name": full_name, "roles": ["qp"] }),
        )
        .await;
    let body = expect_status(created, 201, "create the QP").await;
    let temporary = body["temporary_password"].as_str().expect("temporary");
    let user = app.activate("qpaccents", temporary).await;
    app.acknowledge(&user).await;
    let approver = app.approver().await;
    let approved = app.approve(approver, "qpaccents").await;
    assert_eq!(approved.status(), StatusCode::OK, "approve the QP");
    user
}

/// As the record prints a stored time.
fn printed(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .expect("RFC 3339")
        .with_timezone(&Utc)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// The token that follows `label` in the text.
fn after<'a>(text: &'a str, label: &str) -> &'a str {
    let (_, rest) = text
        .split_once(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{text}"));
    // In the HTML a token ends at the next tag.
    rest.split(|c: char| c.is_whitespace() || c == '<')
        .next()
        .unwrap_or_default()
}

/// What a footer names, checked the way an inspector would: the bundle fetched again for the
/// printed checkpoint has the printed SHA-256, and its checkpoint the printed size and root.
async fn check_footer(app: &TestApp, who: &TestUser, batch: &str, text: &str) -> String {
    let size = after(text, "tree size ");
    let root = after(text, " root ");
    let sha = after(text, "Export bundle SHA-256 ");
    let path = format!("/api/v1/batches/{batch}/export?checkpoint={size}");
    assert!(text.contains(&path), "the footer says where the bundle is");
    let response = fetch(app, who, &path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[header::ETAG].to_str().expect("ASCII");
    assert_eq!(
        etag.trim_matches('"'),
        sha,
        "the printed SHA-256 is the bundle's"
    );
    let bundle: Value = response.json().await.expect("JSON");
    let note = bundle["checkpoint"].as_str().expect("checkpoint note");
    let lines: Vec<&str> = note.lines().collect();
    assert_eq!((lines[1], lines[2]), (size, root), "{note}");
    format!("tree size {size} · root {root}\nExport bundle SHA-256 {sha}")
}

/// The phrase's words, in order, in the text: a table cell's text may be wrapped, and an
/// extractor reads a row line by line, across the other cells.
fn in_order(text: &str, phrase: &str) -> bool {
    let mut wanted = phrase.split_whitespace().peekable();
    for word in text.split_whitespace() {
        if wanted.peek() == Some(&word) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

async fn fetch(app: &TestApp, who: &TestUser, path: &str) -> reqwest::Response {
    app.get(path, Some(&who.token)).await
}

/// Covers: P11-10b-2, P11-50
#[tokio::test]
async fn the_printed_record_shows_the_batch_its_signatures_and_the_checkpoint_in_every_footer() {
    let app = spawn_app().await;
    let mut team = team(&app).await;
    team.qp = qp_named(&app, "Lucía Müller-Rossi").await;
    let (batch, _) = released(&app, &team).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let record: Value = view(&app, &auditor, &batch).await;
    let release = &record["release"]["signatures"][0];
    assert_eq!(
        release["signer_full_name"], "Lucía Müller-Rossi",
        "{record}"
    );
    let signed_at = printed(release["signed_at"].as_str().expect("signed_at"));

    let response = fetch(
        &app,
        &auditor,
        &format!("/api/v1/batches/{batch}/record.pdf"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = response.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ASCII")
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains(&format!("batch-record-{batch}.pdf")),
        "{disposition}"
    );
    let bytes = response.bytes().await.expect("PDF");
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes).expect("the PDF's text");
    assert!(pages.len() > 1, "a released batch fills several pages");
    let text = pages.concat();
    let footer = check_footer(&app, &auditor, &batch, &text).await;
    for expected in [
        batch.as_str(),
        "Lucía Müller-Rossi",
        "released",
        signed_at.as_str(),
        "viable_cell_count",
        "pass",
    ] {
        assert!(
            text.contains(expected),
            "the PDF lacks {expected:?}:\n{text}"
        );
    }
    for (number, page) in pages.iter().enumerate() {
        let page_number = format!("Page {} of {}", number + 1, pages.len());
        for expected in footer.lines().chain([page_number.as_str()]) {
            assert!(
                page.contains(expected),
                "page {number} lacks {expected:?}:\n{page}"
            );
        }
    }

    let response = fetch(
        &app,
        &auditor,
        &format!("/api/v1/batches/{batch}/record.html"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ASCII");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.expect("HTML");
    assert_eq!(
        check_footer(&app, &auditor, &batch, &html).await,
        footer,
        "the page and the PDF name the same checkpoint and bundle"
    );
    for expected in footer.lines().chain([
        batch.as_str(),
        "Lucía Müller-Rossi",
        signed_at.as_str(),
        "@page",
        "position: fixed",
    ]) {
        assert!(html.contains(expected), "the HTML lacks {expected:?}");
    }
    assert!(!html.contains("<script"), "no script in a printed record");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing fetched"
    );
}

/// Covers: A11-8.2, P11-10b-2
#[tokio::test]
async fn the_record_prints_each_correction_with_its_history_every_hold_and_the_deviations() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let (batch, coi) = new_batch(&app, &team).await;
    run_until(&app, &team.site, &batch, &coi, "selection_activation").await;
    let corrected = correct(
        &app,
        &team.site.op1,
        &batch,
        ("volume", "240"),
        "misread the scale",
    )
    .await;
    expect_success(corrected, "correction").await;
    expect_success(hold(&app, &team.site.qa, &batch).await, "hold").await;
    let resumed = app
        .post(
            &format!("/api/v1/batches/{batch}/resume"),
            Some(&team.site.qa.token),
            &json!({ "reason": "sterility confirmed by QC",
                     "signature": { "password": team.site.qa.password, "meaning": "approved" } }),
        )
        .await;
    expect_status(resumed, 200, "resume").await;
    let raised = raise_deviation(&app, &team.site.qa, &batch, "Freezer door found ajar").await;
    expect_success(raised, "deviation").await;
    let auditor = app.user_with_roles(&["auditor"]).await;

    let response = fetch(
        &app,
        &auditor,
        &format!("/api/v1/batches/{batch}/record.pdf"),
    )
    .await;
    let bytes = response.bytes().await.expect("PDF");
    let pdf = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text");
    let response = fetch(
        &app,
        &auditor,
        &format!("/api/v1/batches/{batch}/record.html"),
    )
    .await;
    let html = response.text().await.expect("HTML");
    for expected in [
        "Stage: ",
        "Volume",
        "250",
        "240",
        "misread the scale",
        "awaiting verification",
        "sterility of the final product in question",
        "sterility confirmed by QC",
        "Freezer door found ajar",
    ] {
        assert!(
            in_order(&pdf, expected),
            "the PDF lacks {expected:?}:\n{pdf}"
        );
        assert!(html.contains(expected), "the HTML lacks {expected:?}");
    }
}

/// Covers: P11-10b-2
#[tokio::test]
async fn printed_values_are_escaped() {
    let app = spawn_app().await;
    let team = team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let created = app
        .post(
            "/api/v1/batches",
            Some(&team.site.op1.token),
            &json!({ "template": "cd19-car-t-lv", "patient_code": "P-1",
                     "date_of_birth": "1970-01-01", "treating_site": "<b>Ospedale</b> \"San Raffaele\" & Co",
                     "patient_weight_kg": "70" }),
        )
        .await;
    let created = expect_status(created, 201, "create").await;
    let batch = created["batch_number"].as_str().expect("number");
    let response = fetch(
        &app,
        &auditor,
        &format!("/api/v1/batches/{batch}/record.html"),
    )
    .await;
    let html = response.text().await.expect("HTML");
    assert!(html.contains("Ospedale"), "{html}");
    assert!(!html.contains("<b>") && !html.contains("& Co"), "{html}");
}

/// Covers: P11-10g
#[tokio::test]
async fn only_auditors_qa_and_qps_print_a_record_and_an_unknown_batch_is_not_found() {
    let app = spawn_app().await;
    let operator = app.user_with_roles(&["operator"]).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    for format in ["pdf", "html"] {
        let path = format!("/api/v1/batches/B-2026-99999/record.{format}");
        let (status, body) = problem(fetch(&app, &operator, &path).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, body) = problem(fetch(&app, &auditor, &path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["code"], "batch_not_found");
    }
}
