//! The web UI's session and forms from the attacker's side, over plain HTTP: forms without the
//! session's token, forged and ended session cookies, a login form posted from elsewhere, pages
//! of another role. Nothing is recorded by any of them.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};

use crate::batch_support::site;
use crate::helpers::{spawn_app, TestApp};

pub fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// `name=value` of a cookie the response sets, and the whole header.
fn set_cookie(response: &Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|header| {
            let pair = header.split(';').next().unwrap_or_default().to_owned();
            (pair, header.to_owned())
        })
}

fn hidden_csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..].split('"').next().unwrap_or_default().to_owned()
}

/// Signs in through the login form; returns the session cookie and a form token of its pages.
pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let http = client();
    let form = http
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let (prelogin, _) = set_cookie(&form, "cartrec_prelogin").expect("pre-login cookie");
    let csrf = hidden_csrf(&form.text().await.expect("html"));
    let signed_in = http
        .post(app.url("/login"))
        .header(COOKIE, &prelogin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(signed_in.status(), 303, "signed in");
    let (session, header) = set_cookie(&signed_in, "cartrec_session").expect("session cookie");
    assert!(
        header.contains("HttpOnly") && header.contains("SameSite=Strict"),
        "{header}"
    );
    let home = http
        .get(app.url("/"))
        .header(COOKIE, &session)
        .send()
        .await
        .expect("home");
    let csrf = hidden_csrf(&home.text().await.expect("html"));
    (session, csrf)
}

async fn batch_count(app: &TestApp, token: &str) -> usize {
    let list: serde_json::Value = app
        .get("/api/v1/batches", Some(token))
        .await
        .json()
        .await
        .expect("JSON");
    list["batches"].as_array().map_or(0, Vec::len)
}

fn new_batch_form(csrf: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("template", "cd19-car-t-lv".to_owned()),
        ("coi", String::new()),
        ("patient_code", "ER-LUP-007".to_owned()),
        ("date_of_birth", "2014-05-02".to_owned()),
        ("treating_site", "Erlangen".to_owned()),
        ("patient_weight_kg", "31.5".to_owned()),
    ]
}

#[tokio::test]
async fn a_form_without_the_sessions_own_token_is_refused_and_records_nothing() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let (session, csrf) = sign_in(&app, &site.op1.username, &site.op1.password).await;
    let http = client();
    // Another session's token (the colleague's) and a made-up one are both refused.
    let (_, other_csrf) = sign_in(&app, &site.op2.username, &site.op2.password).await;
    for forged in [other_csrf.as_str(), "00", ""] {
        let refused = http
            .post(app.url("/batches/new"))
            .header(COOKIE, &session)
            .form(&new_batch_form(forged))
            .send()
            .await
            .expect("posted");
        assert_eq!(refused.status(), 403, "token {forged:?}");
    }
    assert_eq!(
        batch_count(&app, &site.qa.token).await,
        0,
        "nothing was recorded"
    );
    let accepted = http
        .post(app.url("/batches/new"))
        .header(COOKIE, &session)
        .form(&new_batch_form(&csrf))
        .send()
        .await
        .expect("posted");
    assert_eq!(
        accepted.status(),
        303,
        "the session's own token is accepted"
    );
    assert_eq!(batch_count(&app, &site.qa.token).await, 1);
}

#[tokio::test]
async fn a_forged_or_ended_session_cookie_opens_nothing() {
    let app = spawn_app().await;
    let site = site(&app).await;
    let http = client();
    let to_login = |response: &Response| {
        response.status() == 303
            && response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                == Some("/login")
    };
    // A token of the right shape signed with another key.
    let forged = "cartrec_session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl";
    for cookie in [forged, "cartrec_session=", "cartrec_session=garbage"] {
        let page = http
            .get(app.url("/batches"))
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("page");
        assert!(to_login(&page), "{cookie}: {}", page.status());
    }
    let (session, csrf) = sign_in(&app, &site.op1.username, &site.op1.password).await;
    let out = http
        .post(app.url("/logout"))
        .header(COOKIE, &session)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 303);
    let after = http
        .get(app.url("/batches"))
        .header(COOKIE, &session)
        .send()
        .await
        .expect("page");
    assert!(
        to_login(&after),
        "the ended session's cookie leads to the login page"
    );
    let replayed = http
        .post(app.url("/batches/new"))
        .header(COOKIE, &session)
        .form(&new_batch_form(&csrf))
        .send()
        .await
        .expect("posted");
    assert!(to_login(&replayed));
    assert_eq!(batch_count(&app, &site.qa.token).await, 0);
}

#[tokio::test]
async fn a_login_form_posted_from_elsewhere_is_refused_and_no_session_opens() {
    let app = spawn_app().await;
    let http = client();
    let form = [
        ("csrf", "00"),
        ("username", "admin"),
        ("password", app.admin.password.as_str()),
    ];
    let refused = http
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .expect("posted");
    assert_eq!(refused.status(), 403);
    assert!(set_cookie(&refused, "cartrec_session").is_none());
}

#[tokio::test]
async fn a_page_of_another_role_is_refused_with_a_readable_message() {
    let app = spawn_app().await;
    let clinician = app.user_with_roles(&["clinician"]).await;
    let (session, _) = sign_in(&app, &clinician.username, &clinician.password).await;
    let page = client()
        .get(app.url("/batches/new"))
        .header(COOKIE, &session)
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 403);
    let html = page.text().await.expect("html");
    assert!(html.contains("id=\"error-message\""), "{html}");
    assert!(
        html.contains("<html lang=\"de\">"),
        "in the viewer's language: {html}"
    );
}

#[tokio::test]
async fn the_cookie_is_secure_when_the_page_was_served_over_tls() {
    let app = spawn_app().await;
    let form = client()
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("login page");
    let (_, header) = set_cookie(&form, "cartrec_prelogin").expect("cookie");
    assert!(header.contains("Secure"), "{header}");
    let plain = client()
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let (_, header) = set_cookie(&plain, "cartrec_prelogin").expect("cookie");
    assert!(!header.contains("Secure"), "{header}");
}

#[tokio::test]
async fn the_language_switch_goes_back_to_a_page_of_this_site_and_nowhere_else() {
    let app = spawn_app().await;
    let http = client();
    let form = http
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let (prelogin, _) = set_cookie(&form, "cartrec_prelogin").expect("pre-login cookie");
    let csrf = hidden_csrf(&form.text().await.expect("html"));
    for (back, location) in [
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login?changed=1", "/login?changed=1"),
    ] {
        let switched = http
            .post(app.url("/language"))
            .header(COOKIE, &prelogin)
            .form(&[("csrf", csrf.as_str()), ("lang", "it"), ("back", back)])
            .send()
            .await
            .expect("posted");
        assert_eq!(switched.status(), 303, "{back:?}");
        let to = switched
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok());
        assert_eq!(to, Some(location), "{back:?}");
        assert!(set_cookie(&switched, "cartrec_lang").is_some(), "{back:?}");
    }
}

/// A page's path with a made-up value in each of its parameters: enough to reach the page's
/// check, never anything that exists.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("closed parameter") + open;
        let parameter = &rest[open + 1..close];
        out.push_str(match parameter.split_once(':') {
            // A parameter that only matches one word: that word.
            Some((_, word)) => word,
            None if parameter == "name" => "ui.css",
            None if parameter == "decision" => "release",
            None if ["id", "version", "shipment"].contains(&parameter) => "1",
            None => "nothing-here",
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    // The one page that is opened for a given record of a step.
    if out.ends_with("/corrections/new") {
        out.push_str("?step=nothing-here&record=1");
    }
    out
}

/// Every page of the UI × every role, walking the table the pages are registered from (so a
/// new page is covered the moment it exists): without a session a page sends to the login,
/// a role the authorization table does not allow is refused before anything is read, and a
/// form without the session's token is refused even for a role that is allowed.
#[tokio::test]
async fn every_page_answers_every_role_as_the_table_says() {
    use cartrec::auth::is_allowed;
    use cartrec::domain::{Role, Roles};
    use cartrec::web::{Access, PAGES};

    let app = spawn_app().await;
    let http = client();
    let mut sessions = Vec::new();
    for role in Role::ALL {
        let user = if role == Role::Admin {
            (app.admin.username.clone(), app.admin.password.clone())
        } else {
            let user = app.user_with_roles(&[role.as_str()]).await;
            (user.username, user.password)
        };
        let (session, csrf) = sign_in(&app, &user.0, &user.1).await;
        sessions.push((role, session, csrf));
    }
    for page in PAGES {
        let path = concrete(page.path);
        let anonymous = http
            .request(page.method.parse().expect("method"), app.url(&path))
            .send()
            .await
            .expect("sent");
        let to_login = anonymous.status() == 303
            && anonymous
                .headers()
                .get(LOCATION)
                .and_then(|l| l.to_str().ok())
                == Some("/login");
        assert_eq!(
            to_login,
            !matches!(page.access, Access::Public | Access::Anyone),
            "{} {path} without a session: {}",
            page.method,
            anonymous.status()
        );
        let Access::Allowed(action) = page.access else {
            continue;
        };
        for (role, session, csrf) in &sessions {
            let allowed = is_allowed(&Roles::new([*role]).expect("one role"), action);
            let request = |token: Option<&str>| {
                let request = http
                    .request(page.method.parse().expect("method"), app.url(&path))
                    .header(COOKIE, session);
                match token {
                    Some(token) if page.method == "POST" => request.form(&[("csrf", token)]),
                    _ => request,
                }
            };
            let with_token = request(Some(csrf)).send().await.expect("sent");
            let status = with_token.status();
            // Refused for the role, not for what the (empty) form says.
            let for_the_role = status == 403
                && with_token
                    .text()
                    .await
                    .expect("html")
                    .contains("Your role does not permit this action");
            assert_eq!(
                for_the_role, !allowed,
                "{role} on {} {path}: {status}",
                page.method,
            );
            if page.method == "POST" && allowed {
                // As `multipart/form-data`, which the forms with files are and the others
                // read as no fields at all.
                let without = request(None)
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "multipart/form-data; boundary=page-table",
                    )
                    .body(
                        "--page-table\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n\
                         no token\r\n--page-table--\r\n",
                    )
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(
                    without.status(),
                    403,
                    "{role} on POST {path} without a token"
                );
                let body = without.text().await.expect("html");
                assert!(body.contains("The form has expired"), "{path}: {body}");
            }
        }
    }
}
