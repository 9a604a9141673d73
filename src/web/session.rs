//! The browser's session: the access token of a server-side session in a cookie that scripts
//! cannot read (`HttpOnly`), that other sites' pages never send (`SameSite=Strict`), and that
//! travels only over TLS when the page was served over TLS (`Secure`). The session itself is
//! the API's: the same idle and absolute timeouts, ended the same way. Every form carries a
//! CSRF token bound to the session by an HMAC, checked before the form is read.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpRequest};

use super::i18n::{Lang, Tr};
use super::WebError;
use crate::accounts::{self, Principal};
use crate::auth::Action;
use crate::domain::Role;
use crate::edge::AppState;

pub const SESSION_COOKIE: &str = "cartrec_session";
/// Before login there is no session to bind the login form's token to: this random value is.
pub const PRELOGIN_COOKIE: &str = "cartrec_prelogin";
pub const LANG_COOKIE: &str = "cartrec_lang";
/// The hidden field every form carries.
pub const CSRF_FIELD: &str = "csrf";

/// Refresh the cookie's token once it is this old, so that an active user's token never
/// expires before the session's own idle timeout ends it.
const REFRESH_AFTER_SECONDS: i64 = 60;

/// Whether the page was asked for over TLS (directly, or as a proxy in front says).
fn over_tls(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// A cookie with the attributes every cookie of the UI has.
pub fn cookie<'a>(req: &HttpRequest, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(over_tls(req))
        .finish()
}

pub fn removal(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    let mut cookie = cookie(req, name, String::new());
    cookie.make_removal();
    cookie
}

pub fn language(req: &HttpRequest) -> Lang {
    let cookie = req.cookie(LANG_COOKIE);
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::choose(cookie.as_ref().map(|c| c.value()), accept)
}

/// A signed-in person looking at a page: who, in which language, with the form token, and a
/// fresh cookie to set when the token was renewed.
pub struct Viewer {
    pub who: Principal,
    pub tr: Tr,
    pub csrf: String,
    pub renewed: Option<Cookie<'static>>,
    /// The site's time zone, in which times are shown and read.
    pub zone: chrono_tz::Tz,
    /// Why this instance refuses every write, shown as a banner to QA, admins and auditors:
    /// its ledger did not verify.
    pub ledger_alarm: Option<crate::ledger::Distrust>,
}

impl Viewer {
    /// Resolves the cookie to its session, as the API resolves a bearer token; renews the
    /// token when it is old. A missing, forged or ended session answers with the login page.
    pub async fn from_request(req: &HttpRequest) -> Result<Viewer, WebError> {
        let tr = Tr::new(language(req));
        let state = state(req)?;
        let token = req
            .cookie(SESSION_COOKIE)
            .map(|c| c.value().to_owned())
            .ok_or(WebError::SignIn)?;
        let claims = state.tokens.decode(&token).map_err(|_| WebError::SignIn)?;
        let issued_at = claims.iat;
        let who = state
            .db
            .run({
                let state = state.clone();
                move |conn| {
                    accounts::authenticate(conn, &state.policy, &claims.sub, &claims.jti)
                        .map_err(|_| WebError::SignIn)
                }
            })
            .await?;
        let renewed = renew(req, &state, &who, issued_at).await?;
        let csrf = state.csrf.token(&who.session_id);
        let watches_the_ledger = [Role::Qa, Role::Admin, Role::Auditor]
            .into_iter()
            .any(|role| who.roles.contains(role));
        let ledger_alarm = state
            .db
            .sealer()
            .and_then(|sealer| sealer.trust().current())
            .filter(|_| watches_the_ledger);
        Ok(Viewer {
            who,
            tr,
            csrf,
            renewed,
            zone: state.time_zone,
            ledger_alarm,
        })
    }

    /// Refuses an action the viewer's roles do not allow (the API's authorization table).
    pub fn require(&self, action: Action) -> Result<(), WebError> {
        self.who
            .authorize(action)
            .map_err(|e| WebError::App(e.into()))
    }

    pub fn can(&self, action: Action) -> bool {
        self.who.authorize(action).is_ok()
    }

    /// Checks a submitted form's token against this session.
    pub fn check_csrf(&self, req: &HttpRequest, submitted: Option<&str>) -> Result<(), WebError> {
        let state = state(req)?;
        match submitted {
            Some(token) if state.csrf.check(&self.who.session_id, token) => Ok(()),
            _ => Err(WebError::Csrf),
        }
    }
}

async fn renew(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: &Principal,
    issued_at: i64,
) -> Result<Option<Cookie<'static>>, WebError> {
    if accounts::now().timestamp() - issued_at < REFRESH_AFTER_SECONDS {
        return Ok(None);
    }
    let granted = state
        .db
        .run({
            let (state, who) = (state.clone(), who.clone());
            move |conn| accounts::refresh(conn, &state.tokens, &who)
        })
        .await
        .map_err(|e| WebError::App(e.into()))?;
    Ok(Some(cookie(req, SESSION_COOKIE, granted.access_token)))
}

pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, WebError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or(WebError::Internal)
}
