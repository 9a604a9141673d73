//! The auditor's view in the browser: the ledger's verification on demand, the newest signed
//! checkpoint and the verifier key to download, the audit trail with its filters (and as CSV),
//! and a batch's printable record and export bundle. Every download is what the API serves.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use base64::Engine;
use serde::Deserialize;

use super::page;
use crate::edge::downloads;
use crate::error::AppError;
use crate::ledger::{self, AuditFilter};
use crate::web::frame::Frame;
use crate::web::session::{self, OnlyToken, PageRequest, Viewer};
use crate::web::signing::step as step_form;
use crate::web::{Answer, WebError};

pub struct Verification {
    pub ok: bool,
    pub summary: String,
    pub failure: Option<String>,
    pub mismatches: Vec<String>,
    /// The evidence the verdict rests on, one sentence each.
    pub evidence: Vec<String>,
}

pub struct CheckpointShown {
    pub size: u64,
    pub root: String,
    pub signed_at: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "ui/ledger.html")]
struct LedgerPage {
    frame: Frame,
    checkpoint: Option<CheckpointShown>,
    vkey: String,
    verification: Option<Verification>,
}

async fn ledger_page(
    req: &HttpRequest,
    viewer: &Viewer,
    verification: Option<Verification>,
) -> Result<HttpResponse, WebError> {
    let state = session::state(req)?;
    let latest = state
        .db
        .run(|conn| ledger::checkpoints::latest(conn).map_err(AppError::from))
        .await?;
    let checkpoint = latest.map(|signed| CheckpointShown {
        size: signed.size,
        root: base64::engine::general_purpose::STANDARD.encode(signed.root),
        signed_at: step_form::show_datetime(&signed.signed_at, viewer.zone, viewer.tr),
        note: signed.note,
    });
    let shown = LedgerPage {
        frame: Frame::of(viewer, "/ledger"),
        checkpoint,
        vkey: state.checkpointing.vkey(),
        verification,
    };
    Ok(page(viewer, StatusCode::OK, &shown))
}

pub async fn show(request: PageRequest) -> Answer {
    let (req, viewer, _, _) = request.parts();
    ledger_page(req, viewer, None).await
}

/// Verifies the whole ledger and then the projections against it, as `cartrec verify` does.
pub async fn verify(request: PageRequest, _: OnlyToken) -> Answer {
    let (req, viewer, state, _) = request.parts();
    let evidence = state.checkpointing.evidence();
    let sealer = state.db.sealer().cloned();
    let (verdict, mismatches) = state
        .db
        .run(move |conn| {
            crate::services::incidents::verify_on_request(conn, sealer.as_deref(), &evidence)
                .map_err(AppError::from)
        })
        .await?;
    let ok = verdict.is_ok() && mismatches.is_empty();
    crate::metrics::verification(ok);
    let verification = Verification {
        ok,
        summary: verdict.summary(),
        failure: verdict
            .report
            .failure
            .as_ref()
            .map(|f| format!("seq {}: {}", f.seq, f.reason)),
        mismatches,
        evidence: verdict.evidence(),
    };
    // The banner, for a failure this very check found.
    let viewer = Viewer {
        ledger_alarm: state.db.sealer().and_then(|s| s.trust().current()),
        ..viewer.clone()
    };
    ledger_page(req, &viewer, Some(verification)).await
}

pub async fn checkpoint(req: HttpRequest) -> Result<HttpResponse, WebError> {
    Ok(downloads::newest_checkpoint(&*session::state(&req)?).await?)
}

pub async fn vkey(req: HttpRequest) -> Result<HttpResponse, WebError> {
    let vkey = session::state(&req)?.checkpointing.vkey();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!("{vkey}\n")))
}

/// The audit trail's filters as typed; dates and times in the site's time zone.
#[derive(Deserialize, Default)]
pub struct AuditForm {
    #[serde(default)]
    batch: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    cursor: String,
}

impl AuditForm {
    fn filter(&self, zone: chrono_tz::Tz) -> Result<AuditFilter, AppError> {
        let given = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let instant =
            |text: &str| given(text).map(|t| step_form::local_to_rfc3339(&t, zone).unwrap_or(t));
        downloads::audit_filter(
            given(&self.batch).as_deref(),
            given(&self.user).as_deref(),
            given(&self.kind).as_deref(),
            instant(&self.from).as_deref(),
            instant(&self.to).as_deref(),
            given(&self.cursor).as_deref(),
        )
    }

    /// The query string of these filters, for the next page and the download.
    fn query(&self) -> String {
        let pairs = [
            ("batch", &self.batch),
            ("user", &self.user),
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
        ];
        serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }
}

pub struct AuditLine {
    pub seq: i64,
    pub recorded_at: String,
    pub actor: String,
    pub stream: String,
    pub kind: String,
    pub payload: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "ui/audit.html")]
struct AuditPage {
    frame: Frame,
    form: AuditForm,
    lines: Vec<AuditLine>,
    next: Option<String>,
    download: String,
    error: Option<(String, String)>,
}

const PAGE_ROWS: i64 = 50;

pub async fn trail(request: PageRequest, form: web::Query<AuditForm>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let form = form.into_inner();
    let query = form.query();
    let (lines, next, error) = match form.filter(viewer.zone) {
        Ok(filter) => {
            let (entries, next) = state
                .db
                .run(move |conn| {
                    ledger::audit_page(conn, &filter, PAGE_ROWS).map_err(AppError::from)
                })
                .await?;
            let lines = entries
                .into_iter()
                .map(|entry| AuditLine {
                    seq: entry.seq,
                    recorded_at: step_form::show_datetime(
                        &entry.recorded_at,
                        viewer.zone,
                        viewer.tr,
                    ),
                    actor: entry.actor,
                    stream: entry.stream,
                    kind: entry.kind,
                    payload: String::from_utf8_lossy(&entry.payload_bytes).into_owned(),
                    hash: hex::encode(&entry.hash),
                })
                .collect();
            let next = next.map(|cursor| format!("/audit?{query}&cursor={cursor}"));
            (lines, next, None)
        }
        Err(error) => (
            vec![],
            None,
            Some((viewer.tr.refusal(error.code()), error.to_string())),
        ),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let shown = AuditPage {
        frame: Frame::of(viewer, "/audit"),
        download: format!("/audit.csv?{query}"),
        form,
        lines,
        next,
        error,
    };
    Ok(page(viewer, status, &shown))
}

pub async fn trail_csv(request: PageRequest, form: web::Query<AuditForm>) -> Answer {
    let (_, viewer, state, _) = request.parts();
    let filter = form.filter(viewer.zone)?;
    Ok(downloads::audit_csv(state, filter).await?)
}

pub async fn record_html(
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    Ok(downloads::record_html(session::state(&req)?, path.into_inner()).await?)
}

pub async fn record_pdf(
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    Ok(downloads::record_pdf(session::state(&req)?, path.into_inner()).await?)
}

pub async fn bundle(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, WebError> {
    Ok(downloads::export_bundle(session::state(&req)?, path.into_inner(), None).await?)
}
