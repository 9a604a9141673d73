//! List views at a small and a large number of open batches (issue 25: at 1,000 open batches
//! every list view answers within 2× of its time at 20, and no answer holds more than one
//! page). Each open batch has an open deviation raised by hand. The API's lists are read with
//! an operator's token; the UI's pages with QA's session, signed in through the login form as
//! a browser would.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::Client;
use serde_json::json;

use super::site::{Api, Prepared, User};

/// Requests per view and size, after as many unmeasured ones.
pub const SAMPLES: usize = 30;
/// Left to the server after the batches are added and before the views are timed: the
/// database's own work after a burst of writes (PostgreSQL's autovacuum and analyze) is not
/// the lists' cost.
pub const SETTLE: Duration = Duration::from_secs(3);

/// The API's lists with `limit=20` too: a page as full at the small size as at the large,
/// so that the times compare the work of finding a page, not the rows it holds.
pub const VIEWS: [&str; 7] = [
    "GET /api/v1/batches",
    "GET /api/v1/batches?limit=20",
    "GET /api/v1/batches?state=created&limit=20",
    "UI /",
    "UI /batches",
    "UI /deviations",
    "UI /corrections",
];

/// The median time and the size of one answer of a view.
#[derive(Clone, Copy)]
pub struct Timed {
    pub median: Duration,
    pub bytes: usize,
}

pub struct Lists {
    pub small: usize,
    pub large: usize,
    /// By view, as `VIEWS`: (at `small` open batches, at `large`).
    pub timed: Vec<(Timed, Timed)>,
}

/// Grows the site to `small` open batches, times every view, grows it to `large`, and times
/// them again.
pub async fn measure(api: &Api, prepared: &Prepared, small: usize, large: usize) -> Lists {
    let session = sign_in(api, "qa0", &prepared.qa.password).await;
    let mut open = prepared.batches.len();
    grow(api, &prepared.operators, &mut open, small).await;
    tokio::time::sleep(SETTLE).await;
    let at_small = time_views(api, &prepared.operators[0], &session).await;
    grow(api, &prepared.operators, &mut open, large).await;
    tokio::time::sleep(SETTLE).await;
    let at_large = time_views(api, &prepared.operators[0], &session).await;
    Lists {
        small,
        large,
        timed: at_small.into_iter().zip(at_large).collect(),
    }
}

/// New batches, each with a deviation raised, until `open` reaches `target`; as many at once
/// as there are operators.
async fn grow(api: &Api, operators: &[User], open: &mut usize, target: usize) {
    while *open < target {
        let wave = (target - *open).min(operators.len());
        join_all(operators[..wave].iter().map(|operator| async move {
            let created = json!({ "template": "cd19-car-t-lv", "patient_code": "ER-LUP-008",
                                  "date_of_birth": "2015-03-09", "treating_site": "Erlangen",
                                  "patient_weight_kg": "28.0" });
            let created = api
                .post("/api/v1/batches", Some(&operator.token), &created, 201)
                .await;
            let number = created["batch_number"].as_str().expect("number");
            let raised = json!({ "description": "label reprinted at receipt" });
            let path = format!("/api/v1/batches/{number}/deviations");
            api.post(&path, Some(&operator.token), &raised, 201).await;
        }))
        .await;
        *open += wave;
    }
}

async fn time_views(api: &Api, operator: &User, session: &str) -> Vec<Timed> {
    let mut timed = vec![];
    for view in VIEWS {
        let (kind, path) = view.split_once(' ').expect("kind and path");
        let mut times = vec![];
        let mut bytes = 0;
        for n in 0..SAMPLES * 2 {
            let request = api.client.get(api.url(path));
            let request = if kind == "GET" {
                request.bearer_auth(&operator.token)
            } else {
                request.header(COOKIE, session)
            };
            let started = Instant::now();
            let answer = request.send().await.expect("request sent");
            assert_eq!(answer.status().as_u16(), 200, "{view}");
            let body = answer.bytes().await.expect("answer read");
            if n >= SAMPLES {
                times.push(started.elapsed());
                bytes = body.len();
            }
        }
        times.sort();
        timed.push(Timed {
            median: times[times.len() / 2],
            bytes,
        });
    }
    timed
}

/// The session cookie of a sign-in through the login form (its pre-login cookie and token).
async fn sign_in(api: &Api, username: &str, password: &str) -> String {
    let client = Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let form = client
        .get(api.url("/login"))
        .send()
        .await
        .expect("login page");
    let prelogin = cookie(&form, "cartrec_prelogin");
    let html = form.text().await.expect("login page read");
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    let csrf = html[at..].split('"').next().unwrap_or_default().to_owned();
    let signed_in = client
        .post(api.url("/login"))
        .header(COOKIE, prelogin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("signed in");
    assert_eq!(signed_in.status().as_u16(), 303, "signed in");
    cookie(&signed_in, "cartrec_session")
}

fn cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .expect("the cookie")
        .to_owned()
}
