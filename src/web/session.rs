//! The browser's session: the access token of a server-side session in a cookie that scripts
//! cannot read (`HttpOnly`), that other sites' pages never send (`SameSite=Strict`), and that
//! travels only over TLS when the page was served over TLS (`Secure`). The session itself is
//! the API's: the same idle and absolute timeouts, ended the same way. Every form carries a
//! CSRF token bound to the session by an HMAC, checked before the form is read.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::{ready, LocalBoxFuture, Ready};
use serde::de::DeserializeOwned;

use super::i18n::{Lang, Tr};
use super::WebError;
use crate::auth::Action;
use crate::domain::Role;
use crate::edge::AppState;
use crate::error::AppError;
use crate::services::accounts::{self, Principal};

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
/// fresh cookie to set when the token was renewed. A page's handler takes it as an argument:
/// the route table's [`super::routes`] check resolved it and checked the page's action first.
#[derive(Clone)]
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
    pub(super) async fn resolve(req: &HttpRequest) -> Result<Viewer, WebError> {
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

    pub fn can(&self, action: Action) -> bool {
        self.who.authorize(action).is_ok()
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

/// The viewer the route table's check left in the request; on a public page, the person
/// signed in if anyone is (else the login page).
impl FromRequest for Viewer {
    type Error = WebError;
    type Future = Ready<Result<Viewer, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(resolved(req))
    }
}

fn resolved(req: &HttpRequest) -> Result<Viewer, WebError> {
    req.extensions()
        .get::<Viewer>()
        .cloned()
        .ok_or(WebError::SignIn)
}

/// What a page's handler is given: the request (for the signed-request edge and cookies),
/// the viewer the route table resolved and checked, the server's state, and what the page
/// is told of the write that led to it.
pub struct PageRequest {
    pub req: HttpRequest,
    pub viewer: Viewer,
    pub state: web::Data<AppState>,
    pub done: Done,
}

/// What a page is told of the write that led to it, after POST/redirect/GET: what was done
/// (`?done=`), and what it was done to (the step or test recorded or verified, the template
/// or account approved, the lot or equipment registered). A query that says none of these
/// tells nothing.
#[derive(Default, serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
    pub recorded: Option<String>,
    pub verified: Option<String>,
    pub approved: Option<String>,
    pub lot: Option<String>,
    pub id: Option<String>,
}

impl PageRequest {
    /// The request, the viewer, the server's state and what the page is told, to read.
    pub fn parts(&self) -> (&HttpRequest, &Viewer, &web::Data<AppState>, &Done) {
        (&self.req, &self.viewer, &self.state, &self.done)
    }

    fn of(req: &HttpRequest) -> Result<PageRequest, WebError> {
        Ok(PageRequest {
            viewer: resolved(req)?,
            state: state(req)?,
            done: serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
            req: req.clone(),
        })
    }
}

impl FromRequest for PageRequest {
    type Error = WebError;
    type Future = Ready<Result<PageRequest, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(PageRequest::of(req))
    }
}

/// A page request that posts a form (`application/x-www-form-urlencoded`): the request as
/// [`PageRequest`] has it, and every (name, value) the form sent, in order, once its token
/// has been checked.
pub struct PostedForm {
    pub req: HttpRequest,
    pub viewer: Viewer,
    pub state: web::Data<AppState>,
    pub form: Vec<(String, String)>,
}

impl PostedForm {
    /// The request, the viewer, the server's state and the form, to read.
    pub fn parts(
        &self,
    ) -> (
        &HttpRequest,
        &Viewer,
        &web::Data<AppState>,
        &[(String, String)],
    ) {
        (&self.req, &self.viewer, &self.state, &self.form)
    }
}

impl FromRequest for PostedForm {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<PostedForm, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let posted = Posted::<Vec<(String, String)>>::from_request(req, payload);
        let request = PageRequest::of(req);
        Box::pin(async move {
            let PageRequest {
                req, viewer, state, ..
            } = request?;
            let Posted(form) = posted.await?;
            Ok(PostedForm {
                req,
                viewer,
                state,
                form,
            })
        })
    }
}

/// Whether a posted form carries the token of this session, or before login the token bound
/// to the pre-login cookie: a form made by another site carries neither.
pub fn token_matches(req: &HttpRequest, viewer: Option<&Viewer>, submitted: Option<&str>) -> bool {
    let Ok(state) = state(req) else {
        return false;
    };
    let Some(token) = submitted else {
        return false;
    };
    match viewer {
        Some(viewer) => state.csrf.check(&viewer.who.session_id, token),
        None => req
            .cookie(PRELOGIN_COOKIE)
            .is_some_and(|cookie| state.csrf.check(&prelogin_subject(cookie.value()), token)),
    }
}

/// What the pre-login form token is bound to: the random value of the pre-login cookie.
pub fn prelogin_subject(cookie: &str) -> String {
    format!("prelogin:{cookie}")
}

/// A form posted as `application/x-www-form-urlencoded`, read into `T` once its token has
/// been checked (and refused as [`WebError::Csrf`] when it has none of this session's).
pub struct Posted<T>(pub T);

/// A form that carries nothing but its token (a button: sign out, verify the ledger).
pub type OnlyToken = Posted<serde::de::IgnoredAny>;

impl<T: DeserializeOwned + 'static> FromRequest for Posted<T> {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Posted<T>, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let body = body.await.map_err(unreadable)?;
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&body).map_err(unreadable)?;
            admit_form(&req, &fields)?;
            serde_urlencoded::from_bytes(&body)
                .map(Posted)
                .map_err(unreadable)
        })
    }
}

/// A form posted as `multipart/form-data` (one that carries files): its text fields in order
/// and its files, each file bounded by `max_attachment_bytes`, once its token has been checked.
pub struct PostedFiles {
    pub fields: Vec<(String, String)>,
    pub uploads: Vec<super::multipart::Upload>,
}

impl FromRequest for PostedFiles {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<PostedFiles, WebError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let form = actix_multipart::Multipart::new(req.headers(), payload.take());
        let req = req.clone();
        Box::pin(async move {
            let max_file_bytes = state(&req)?.max_attachment_bytes;
            let (fields, uploads) = super::multipart::read(form, max_file_bytes).await?;
            admit_form(&req, &fields)?;
            Ok(PostedFiles { fields, uploads })
        })
    }
}

/// Refuses a form without the token of the viewer's session (or, before login, of the
/// pre-login cookie).
fn admit_form(req: &HttpRequest, fields: &[(String, String)]) -> Result<(), WebError> {
    let token = fields
        .iter()
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.as_str());
    let viewer = req.extensions().get::<Viewer>().cloned();
    if token_matches(req, viewer.as_ref(), token) {
        Ok(())
    } else {
        Err(WebError::Csrf)
    }
}

fn unreadable(error: impl std::fmt::Display) -> WebError {
    WebError::App(AppError::BadRequest(format!(
        "the form could not be read: {error}"
    )))
}

pub fn state(req: &HttpRequest) -> Result<web::Data<AppState>, WebError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or(WebError::Internal)
}
