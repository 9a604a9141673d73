//! The audit trail: `GET /api/v1/audit` filtered and paged, and its CSV and JSON downloads.

use serde_json::Value;

use crate::batch_support::{create_batch, site};
use crate::helpers::spawn_app;
use crate::helpers::{problem, TestApp, TestUser};

async fn json_of(app: &TestApp, who: &TestUser, path: &str) -> Value {
    let response = app.get(path, Some(&who.token)).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("JSON")
}

/// Every row the query matches, page by page (`limit` rows each), checking that the pages
/// follow each other in `seq` order.
async fn every_page(app: &TestApp, who: &TestUser, query: &str, limit: usize) -> Vec<Value> {
    let mut rows: Vec<Value> = Vec::new();
    let mut cursor = 0;
    loop {
        let path = format!("/api/v1/audit?{query}&limit={limit}&cursor={cursor}");
        let page = json_of(app, who, &path).await;
        let entries = page["entries"].as_array().expect("entries");
        assert!(entries.len() <= limit, "{path}");
        rows.extend(entries.iter().cloned());
        match page["next"].as_i64() {
            Some(next) => {
                assert_eq!(entries.len(), limit, "a page before the end is full");
                let last = entries.last().expect("a row")["seq"].as_i64().expect("seq");
                assert_eq!(next, last + 1);
                cursor = next;
            }
            None => break,
        }
    }
    let seqs: Vec<i64> = rows
        .iter()
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{query}: {seqs:?}");
    rows
}

fn seqs(rows: &[Value]) -> Vec<i64> {
    rows.iter()
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect()
}

fn matching(all: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<i64> {
    seqs(&all.iter().filter(|r| keep(r)).cloned().collect::<Vec<_>>())
}

/// Covers: A11-9, P11-10b-1, P11-10e-1
#[tokio::test]
async fn filters_paging_and_downloads_agree_with_the_ledger() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let first = create_batch(&app, &site.op1, None).await;
    let second = create_batch(&app, &site.op2, None).await;
    let first = first["batch_number"].as_str().expect("batch number");
    let second = second["batch_number"].as_str().expect("batch number");
    let auditor = app.user_with_roles(&["auditor"]).await;

    // Paging covers every entry exactly once, with the ledger's own hashes.
    let all = every_page(&app, &auditor, "", 7).await;
    let ledger = app.ledger_entries(&auditor).await;
    assert_eq!(seqs(&all), seqs(&ledger));
    for (row, entry) in all.iter().zip(&ledger) {
        for field in [
            "seq",
            "hash",
            "recorded_at",
            "actor",
            "stream",
            "kind",
            "payload",
        ] {
            assert_eq!(row[field], entry[field], "{field}");
        }
    }
    let one_page = json_of(&app, &auditor, "/api/v1/audit?limit=1000").await;
    assert_eq!(one_page["entries"].as_array().expect("rows"), &all);
    assert!(one_page["next"].is_null());

    // By user.
    let by_op1 = every_page(&app, &auditor, &format!("user={}", site.op1.username), 2).await;
    let expected = matching(&all, |r| r["actor"] == site.op1.username.as_str());
    assert!(!expected.is_empty());
    assert_eq!(seqs(&by_op1), expected);

    // By batch: its own stream, and nothing of the other batch.
    let by_batch = every_page(&app, &auditor, &format!("batch={first}"), 100).await;
    let stream = format!("batch/{first}");
    let expected = matching(&all, |r| r["stream"] == stream.as_str());
    assert!(!expected.is_empty());
    assert_eq!(seqs(&by_batch), expected);
    let by_second = every_page(&app, &auditor, &format!("batch={second}"), 100).await;
    assert!(!by_second.is_empty());
    assert!(by_second.iter().all(|r| r["stream"] != stream.as_str()));

    // By kind, alone and with a user.
    let kind = by_batch[0]["kind"].as_str().expect("kind").to_owned();
    let by_kind = every_page(&app, &auditor, &format!("kind={kind}"), 1).await;
    let expected = matching(&all, |r| r["kind"] == kind.as_str());
    assert!(expected.len() >= 2, "both batches: {expected:?}");
    assert_eq!(seqs(&by_kind), expected);
    let by_both = every_page(
        &app,
        &auditor,
        &format!("kind={kind}&user={}", site.op2.username),
        100,
    )
    .await;
    let expected = matching(&all, |r| {
        r["kind"] == kind.as_str() && r["actor"] == site.op2.username.as_str()
    });
    assert_eq!(expected.len(), 1);
    assert_eq!(seqs(&by_both), expected);
    let none = every_page(&app, &auditor, "kind=no.such_kind", 100).await;
    assert!(none.is_empty());

    // A time window: `from` inclusive, `to` exclusive, in any offset.
    let from = all[all.len() / 3]["recorded_at"].as_str().expect("time");
    let to = all[2 * all.len() / 3]["recorded_at"]
        .as_str()
        .expect("time");
    assert!(from < to, "entries recorded at distinct times");
    let window = every_page(&app, &auditor, &format!("from={from}&to={to}"), 3).await;
    let expected = matching(&all, |r| {
        let at = r["recorded_at"].as_str().expect("time");
        from <= at && at < to
    });
    assert!(!expected.is_empty());
    assert_eq!(seqs(&window), expected);
    let from_time = chrono::DateTime::parse_from_rfc3339(from).expect("RFC 3339");
    let elsewhere = from_time
        .with_timezone(&chrono::FixedOffset::east_opt(3600).expect("offset"))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
    assert!(elsewhere.ends_with("+01:00"), "{elsewhere}");
    let shifted = every_page(
        &app,
        &auditor,
        &format!("from={}&to={to}", elsewhere.replace('+', "%2B")),
        100,
    )
    .await;
    assert_eq!(seqs(&shifted), expected);

    // The JSON download holds the same rows as the pages.
    let response = app.get("/api/v1/audit.json", Some(&auditor.token)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"audit-trail.json\""
    );
    let download: Value = response.json().await.expect("JSON");
    assert_eq!(download.as_array().expect("array"), &all);
    let filtered: Value =
        json_of(&app, &auditor, &format!("/api/v1/audit.json?batch={first}")).await;
    assert_eq!(filtered.as_array().expect("array"), &by_batch);

    // The CSV parses back into the same rows and hashes.
    for (query, rows) in [("", &all), (&*format!("?batch={first}"), &by_batch)] {
        let response = app
            .get(&format!("/api/v1/audit.csv{query}"), Some(&auditor.token))
            .await;
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert!(headers["content-type"]
            .to_str()
            .expect("ASCII")
            .starts_with("text/csv"));
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"audit-trail.csv\""
        );
        let body = response.bytes().await.expect("body");
        let mut reader = csv::Reader::from_reader(body.as_ref());
        let header: Vec<String> = reader
            .headers()
            .expect("header row")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            header,
            [
                "seq",
                "hash",
                "recorded_at",
                "actor",
                "stream",
                "kind",
                "payload"
            ]
        );
        let records: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("well-formed CSV");
        assert_eq!(records.len(), rows.len());
        for (record, row) in records.iter().zip(rows.iter()) {
            assert_eq!(record[0], row["seq"].to_string());
            for (i, field) in ["hash", "recorded_at", "actor", "stream", "kind"]
                .iter()
                .enumerate()
            {
                assert_eq!(
                    &record[i + 1],
                    row[*field].as_str().expect("text"),
                    "{field}"
                );
            }
            let payload: Value = serde_json::from_str(&record[6]).expect("payload JSON");
            assert_eq!(payload, row["payload"]);
        }
    }
}

/// Covers: A11-9, P11-10g
#[tokio::test]
async fn only_auditors_qa_and_qps_read_the_trail() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let qa = app.user_with_roles(&["qa"]).await;
    let qp = app.user_with_roles(&["qp"]).await;
    let operator = app.user_with_roles(&["operator"]).await;
    let paths = ["/api/v1/audit", "/api/v1/audit.csv", "/api/v1/audit.json"];
    for path in paths {
        for who in [&auditor, &qa, &qp] {
            let response = app.get(path, Some(&who.token)).await;
            assert_eq!(response.status(), 200, "{path} as {}", who.username);
        }
        for who in [&operator, &app.admin] {
            let (status, body) = problem(app.get(path, Some(&who.token)).await).await;
            assert_eq!(status, 403, "{path} as {}: {body}", who.username);
        }
        let (status, _) = problem(app.get(path, None).await).await;
        assert_eq!(status, 401, "{path}");
    }
}

/// Covers: P11-10a-2
#[tokio::test]
async fn bad_parameters_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let cases = [
        ("/api/v1/audit?limit=0", "limit"),
        ("/api/v1/audit?limit=1001", "limit"),
        ("/api/v1/audit?limit=many", "limit"),
        ("/api/v1/audit?cursor=-1", "cursor"),
        ("/api/v1/audit?from=yesterday", "from"),
        ("/api/v1/audit?to=2026-11-24", "to"),
        (
            "/api/v1/audit?from=2026-11-24T10:00:00Z&to=2026-11-24T09:00:00Z",
            "from",
        ),
        ("/api/v1/audit?kind=Batch%20Created", "kind"),
        ("/api/v1/audit?batch=..%2Fetc", "batch"),
        ("/api/v1/audit?user=", "user"),
        ("/api/v1/audit?actor=admin", "actor"),
        ("/api/v1/audit.csv?from=noon", "from"),
        ("/api/v1/audit.csv?limit=5", "limit"),
        ("/api/v1/audit.json?kind=x", "kind"),
        ("/api/v1/audit.json?cursor=-5", "cursor"),
    ];
    for (path, parameter) in cases {
        let (status, body) = problem(app.get(path, Some(&auditor.token)).await).await;
        assert_eq!(status, 400, "{path}: {body}");
        let detail = body["detail"].as_str().expect("detail");
        assert!(detail.contains(parameter), "{path}: {detail}");
    }
}
