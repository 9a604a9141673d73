//! Login, the forced and voluntary password change, logout and the language switch.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use secrecy::SecretString;
use serde::Deserialize;

use super::{local_path, page, see_other};
use crate::edge::client_address;
use crate::error::AppError;
use crate::services::accounts;
use crate::web::frame::Frame;
use crate::web::i18n::Tr;
use crate::web::session::{
    self, OnlyToken, PageRequest, Posted, Viewer, LANG_COOKIE, PRELOGIN_COOKIE, SESSION_COOKIE,
};
use crate::web::{html, render_error, Answer, WebError};

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage {
    frame: Frame,
    csrf: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    changed: Option<String>,
}

/// The login form. Its token is bound to a random pre-login cookie, since there is no session
/// yet for it to be bound to.
pub async fn login_form(req: HttpRequest, query: web::Query<LoginQuery>) -> HttpResponse {
    let tr = Tr::new(session::language(&req));
    let notice = query.changed.is_some().then(|| tr.t("password-changed"));
    login_page(&req, tr, String::new(), notice, StatusCode::OK)
}

fn login_page(
    req: &HttpRequest,
    tr: Tr,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let Ok(state) = session::state(req) else {
        return render_error(tr, &WebError::Internal);
    };
    let prelogin = req
        .cookie(PRELOGIN_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 32)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let csrf = state.csrf.token(&session::prelogin_subject(&prelogin));
    let page = LoginPage {
        frame: Frame::anonymous(tr, csrf.clone(), "/login"),
        csrf,
        username,
        error,
    };
    match page.render() {
        Ok(body) => {
            let mut response = html(status, body);
            let _ = response.add_cookie(&session::cookie(req, PRELOGIN_COOKIE, prelogin));
            response
        }
        Err(error) => render_error(tr, &WebError::from(error)),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// Checks the password as the API's login does (throttled, recorded, counted toward
/// lock-out), then keeps the session's token in the cookie.
pub async fn login(req: HttpRequest, form: web::Form<LoginForm>) -> HttpResponse {
    let tr = Tr::new(session::language(&req));
    let LoginForm {
        csrf,
        username,
        password,
    } = form.into_inner();
    if !session::token_matches(&req, None, Some(&csrf)) {
        return login_page(
            &req,
            tr,
            username,
            Some(tr.t("error-csrf-text")),
            StatusCode::FORBIDDEN,
        );
    }
    match sign_in(&req, &username, SecretString::from(password)).await {
        Ok(granted) => {
            let next = if granted.must_change_password {
                "/password"
            } else {
                "/"
            };
            let mut response = see_other(next);
            let _ =
                response.add_cookie(&session::cookie(&req, SESSION_COOKIE, granted.access_token));
            let _ = response.add_cookie(&session::removal(&req, PRELOGIN_COOKIE));
            response
        }
        Err(error) => {
            let status = actix_web::ResponseError::status_code(&error);
            login_page(&req, tr, username, Some(tr.refusal(error.code())), status)
        }
    }
}

async fn sign_in(
    req: &HttpRequest,
    username: &str,
    password: SecretString,
) -> Result<accounts::LoginGranted, AppError> {
    let state = session::state(req).map_err(|_| AppError::NotFound(String::new()))?;
    let client = client_address(req);
    state.throttle.check(&client, username)?;
    let username = username.to_owned();
    state
        .db
        .run({
            let state = state.clone();
            move |conn| {
                accounts::login(
                    conn,
                    &state.tokens,
                    &state.policy,
                    &username,
                    &password,
                    &client,
                )
            }
        })
        .await
        .inspect_err(crate::error::ServiceError::count_login_refusal)
        .map_err(AppError::from)
}

/// Ends the session (recorded in the ledger) and forgets the cookie.
pub async fn logout(request: PageRequest, _: OnlyToken) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let who = viewer.who.clone();
    state
        .db
        .run(move |conn| accounts::logout(conn, &who))
        .await?;
    let mut response = see_other("/login");
    let _ = response.add_cookie(&session::removal(req, SESSION_COOKIE));
    Ok(response)
}

#[derive(Template)]
#[template(path = "ui/password.html")]
struct PasswordPage {
    frame: Frame,
    forced: bool,
    error: Option<String>,
    detail: Option<String>,
}

pub async fn password_form(viewer: Viewer) -> Result<HttpResponse, WebError> {
    let page_data = PasswordPage {
        frame: Frame::of(&viewer, "/password"),
        forced: viewer.who.must_change_password,
        error: None,
        detail: None,
    };
    Ok(page(&viewer, StatusCode::OK, &page_data))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// Changes one's own password as the API does; every session ends, so the person signs in
/// again with the new one.
pub async fn change_password(request: PageRequest, Posted(form): Posted<PasswordForm>) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let PasswordForm {
        current_password,
        new_password,
    } = form;
    let client = client_address(req);
    let outcome: Result<(), AppError> = async {
        state
            .throttle
            .check(&client, viewer.who.username.as_str())?;
        let (current, new) = (
            SecretString::from(current_password),
            SecretString::from(new_password),
        );
        let who = viewer.who.clone();
        state
            .db
            .run({
                let state = state.clone();
                move |conn| {
                    accounts::change_own_password(
                        conn,
                        &state.policy,
                        &who,
                        &current,
                        &new,
                        &client,
                    )
                }
            })
            .await
            .map_err(AppError::from)
    }
    .await;
    match outcome {
        Ok(()) => {
            let mut response = see_other("/login?changed=1");
            let _ = response.add_cookie(&session::removal(req, SESSION_COOKIE));
            Ok(response)
        }
        Err(error) => {
            let page_data = PasswordPage {
                frame: Frame::of(viewer, "/password"),
                forced: viewer.who.must_change_password,
                error: Some(viewer.tr.refusal(error.code())),
                detail: Some(error.to_string()),
            };
            Ok(page(
                viewer,
                actix_web::ResponseError::status_code(&error),
                &page_data,
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    back: String,
}

/// Keeps the chosen language in a cookie and goes back to the page it was chosen on.
pub async fn choose_language(
    req: HttpRequest,
    Posted(LanguageForm { lang, back }): Posted<LanguageForm>,
) -> Result<HttpResponse, WebError> {
    let lang = crate::web::i18n::Lang::from_tag(&lang).ok_or(WebError::NotFound)?;
    let mut response = see_other(local_path(&back));
    let cookie: Cookie<'static> = session::cookie(&req, LANG_COOKIE, lang.tag().to_owned());
    let _ = response.add_cookie(&cookie);
    Ok(response)
}
