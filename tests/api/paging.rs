//! Lists that page: `GET /api/v1/batches` and the UI's `/batches` answer one page at a time
//! (`limit`, at most 500, 50 unless asked), with the next page's opaque cursor in `next` and a
//! `Link` header, the count of every match, and filters by state, site and start day.

use reqwest::header::{COOKIE, LINK};
use serde_json::Value;

use crate::batch_support::{create_batch, site};
use crate::helpers::{problem, spawn_app, TestApp};
use crate::ui_security::{client, sign_in};

/// The numbers of `count` batches started by the first operator, in order.
async fn started(app: &TestApp, site: &crate::batch_support::Site, count: usize) -> Vec<String> {
    let mut numbers = vec![];
    for _ in 0..count {
        let created = create_batch(app, &site.op1, None).await;
        numbers.push(created["batch_number"].as_str().expect("number").to_owned());
    }
    numbers
}

/// A page of the UI in this session: its status and HTML.
async fn page(app: &TestApp, session: &str, path: String) -> (u16, String) {
    let answer = client()
        .get(app.url(&path))
        .header(COOKIE, session)
        .send()
        .await
        .expect("page");
    (answer.status().as_u16(), answer.text().await.expect("html"))
}

/// Covers: GMP-EVT-6
#[tokio::test]
async fn the_batch_list_pages_by_cursor_and_filters_by_site_and_day() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let numbers = started(&app, &site, 3).await;
    let token = Some(site.op1.token.as_str());

    let first = app.get("/api/v1/batches?limit=2", token).await;
    assert_eq!(first.status(), 200);
    let link = first.headers()[LINK].to_str().expect("ascii").to_owned();
    let first: Value = first.json().await.expect("JSON");
    assert_eq!(first["total"], 3);
    let shown: Vec<&str> = first["batches"]
        .as_array()
        .expect("list")
        .iter()
        .map(|b| b["batch_number"].as_str().expect("number"))
        .collect();
    assert_eq!(shown, [numbers[0].as_str(), numbers[1].as_str()]);
    let next = first["next"].as_str().expect("a next page");
    assert!(
        link.starts_with("</api/v1/batches?") && link.ends_with(">; rel=\"next\""),
        "{link}"
    );
    assert!(
        link.contains("limit=2") && link.contains(&format!("cursor={next}")),
        "{link}"
    );

    let target = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .expect("a target");
    let second = app.get(target, token).await;
    assert!(
        second.headers().get(LINK).is_none(),
        "the last page links nowhere"
    );
    let second: Value = second.json().await.expect("JSON");
    assert_eq!(second["batches"].as_array().map(Vec::len), Some(1));
    assert_eq!(second["batches"][0]["batch_number"], numbers[2].as_str());
    assert_eq!(second["next"], Value::Null);
    assert_eq!(second["total"], 3);

    // Filters: the site every batch support creates, and the days they were started on.
    let created: Value = app
        .get(&format!("/api/v1/batches/{}", numbers[0]), token)
        .await
        .json()
        .await
        .expect("JSON");
    let site_name = created["patient"]["treating_site"].as_str().expect("site");
    let today = &created["created_at"].as_str().expect("started")[..10];
    let count = |query: String| {
        let app = &app;
        async move {
            let answer: Value = app.get(&query, token).await.json().await.expect("JSON");
            answer["total"].clone()
        }
    };
    let site_query = serde_urlencoded::to_string([("site", site_name)]).expect("query");
    assert_eq!(count(format!("/api/v1/batches?{site_query}")).await, 3);
    assert_eq!(count("/api/v1/batches?site=Nowhere".to_owned()).await, 0);
    assert_eq!(
        count(format!("/api/v1/batches?from={today}&to={today}")).await,
        3
    );
    assert_eq!(count("/api/v1/batches?from=2999-01-01".to_owned()).await, 0);
    assert_eq!(count("/api/v1/batches?to=2000-01-01".to_owned()).await, 0);
    assert_eq!(
        count("/api/v1/batches?state=created&limit=500".to_owned()).await,
        3
    );
}

/// Covers: GMP-EVT-6
#[tokio::test]
async fn a_page_beyond_the_limits_or_a_made_up_cursor_is_refused_with_a_problem() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let token = Some(site.op1.token.as_str());
    for query in [
        "limit=0",
        "limit=501",
        "limit=ten",
        "cursor=not-a-cursor",
        "from=1.12.2026",
        "from=2026-12-02&to=2026-12-01",
    ] {
        let (status, body) =
            problem(app.get(&format!("/api/v1/batches?{query}"), token).await).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "bad_request", "{query}");
    }
    let (_, body) = problem(app.get("/api/v1/batches?limit=501", token).await).await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("500")),
        "{body}"
    );
    assert_eq!(
        app.get("/api/v1/batches?limit=500", token).await.status(),
        200
    );
}

/// Covers: GMP-EVT-6
#[tokio::test]
async fn the_ui_batch_list_shows_its_count_pages_of_fifty_and_a_readable_filter_error() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let numbers = started(&app, &site, 51).await;
    let (session, _) = sign_in(&app, &site.op1.username, &site.op1.password).await;
    let get = |path: String| page(&app, &session, path);
    let (status, html) = get("/batches?state=created".to_owned()).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"batch-count\""), "{html}");
    for number in &numbers[..50] {
        assert!(html.contains(number.as_str()));
    }
    assert!(!html.contains(numbers[50].as_str()), "one page of 50");
    let next = html
        .split("id=\"next-page\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|href| href.split('"').next())
        .expect("a next page link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    assert!(next.contains("state=created"), "the filter is kept: {next}");
    let next_shown = next.clone();
    let (status, second) = get(next).await;
    assert_eq!(status, 200);
    assert!(
        second.contains(numbers[50].as_str()) && !second.contains(numbers[0].as_str()),
        "{next_shown}: {second}"
    );
    assert!(second.contains("id=\"first-page\"") && !second.contains("id=\"next-page\""));
    let (status, html) = get("/batches?from=31.12.2026".to_owned()).await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"from-error\""), "{html}");
    assert!(
        html.contains("value=\"31.12.2026\""),
        "what was typed is kept"
    );
    let (_, html) = get("/batches?from=2999-01-01".to_owned()).await;
    assert!(!html.contains(numbers[0].as_str()));
}

/// Covers: GMP-EVT-6
#[tokio::test]
async fn qa_sees_open_deviations_a_page_at_a_time_and_the_home_page_links_to_them_all() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let created = create_batch(&app, &site.op1, None).await;
    let number = created["batch_number"].as_str().expect("number").to_owned();
    let path = format!("/api/v1/batches/{number}/deviations");
    for n in 1..=52 {
        let body = serde_json::json!({ "description": format!("observation {n:02}") });
        assert_eq!(
            app.post(&path, Some(&site.op2.token), &body).await.status(),
            201
        );
    }
    let (session, _) = sign_in(&app, &site.qa.username, &site.qa.password).await;
    let get = |path: String| page(&app, &session, path);
    let (status, first) = get("/deviations".to_owned()).await;
    assert_eq!(status, 200);
    assert!(first.contains("observation 50") && !first.contains("observation 51"));
    let next = first
        .split("id=\"next-page\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .and_then(|href| href.split('"').next())
        .expect("a next page link")
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let (status, second) = get(next).await;
    assert_eq!(status, 200);
    assert!(second.contains("observation 51") && second.contains("observation 52"));
    assert!(!second.contains("observation 01") && !second.contains("id=\"next-page\""));
    assert!(second.contains("id=\"first-page\""));

    let (_, home) = get("/".to_owned()).await;
    assert!(
        home.contains("href=\"/deviations\" class=\"see-all\""),
        "{home}"
    );
    assert!(
        !home.contains("observation 51"),
        "the home page holds one page"
    );

    let (status, refused) = get("/deviations?cursor=made-up".to_owned()).await;
    assert_eq!(status, 200, "the first page, with the reason");
    assert!(refused.contains("id=\"form-error\"") && refused.contains("observation 01"));
}
