//! Builds the application from settings: keys, database, migrations, first admin, server.
//! `main` and the tests both start cartrec through here.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::{self, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use chrono::Duration;
use secrecy::SecretString;
use tracing_actix_web::TracingLogger;

use crate::auth::{Throttle, TokenKeys};
use crate::config::Settings;
use crate::db;
use crate::http::{self, AppState};
use crate::runner::Db;
use crate::services::accounts::{self, SecurityPolicy};
use crate::services::checkpointing::Checkpointing;
use crate::{keys, telemetry};

pub struct Application {
    server: Server,
    port: u16,
    /// The metrics listener (`metrics_bind`) and its port, when configured.
    metrics: Option<(Server, u16)>,
    /// The one-time password of the first admin, when this start created it.
    pub bootstrap_password: Option<SecretString>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        crate::private_files::prepare(&settings)?;
        let jwt_secret = keys::load_or_create_jwt_secret(&settings.jwt_secret_path())?;
        let signer = std::sync::Arc::new(keys::load_or_create_checkpoint_key(
            &settings.checkpoint_key_path(),
            &settings.log_origin,
        )?);
        tracing::info!(vkey = %signer.vkey(), "checkpoint verifier key");
        let sealer = crate::ledger::Sealer::new(
            signer.clone(),
            &settings.log_origin,
            Some(&settings.checkpoint_dir_path()),
            Some(&settings.distrust_file_path()),
        );

        let group = crate::ledger::GroupCommit::new(
            &settings.database_url(),
            crate::ledger::group::DEFAULT_MAX_MEMBERS,
        );
        let db = Db::new(
            db::build_pool(&settings.database_url(), settings.db_pool_size)?,
            Some(group),
            Some(sealer),
        );
        if settings.migrate_on_start {
            let applied = db.run(crate::services::projections::migrate).await?;
            if !applied.is_empty() {
                tracing::info!(?applied, "database migrations applied");
            }
        }
        let checkpointing = Checkpointing {
            signer,
            origin: settings.log_origin.clone(),
            dir: settings.checkpoint_dir_path(),
            every_entries: settings.checkpoint_every_entries,
            every_seconds: settings.checkpoint_every_seconds,
        };
        // Before anything is served: the ledger ends where its newest signed head says (and
        // entries that predate the Merkle tree get their subtrees). What fails here makes the
        // instance read-only; the whole verification follows in the background.
        crate::ledger_watch::check_at_start(&db, &checkpointing.evidence()).await?;
        // A read-only start (the ledger did not verify) records nothing, not even these.
        let trusted = db.ledger_trusted();
        let bootstrap_password = match trusted {
            true => db.run(accounts::bootstrap_admin).await?,
            false => None,
        };
        if trusted {
            if let Some(row) = db.run(crate::services::templates::import_shipped).await? {
                tracing::info!(code = %row.code, version = row.version, "imported the shipped template as a draft");
            }
        }

        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let facility = crate::domain::coi::FacilityId::parse(&settings.facility_id)
            .map_err(|e| anyhow::anyhow!("facility_id: {e}"))?;
        if settings.facility_id == Settings::default().facility_id {
            tracing::warn!("facility_id is ICCBBA's example A9999: set this site's own FIN");
        }
        let time_zone: chrono_tz::Tz = settings.time_zone.parse().map_err(|_| {
            anyhow::anyhow!(
                "time_zone: {} is not an IANA time zone, e.g. Europe/Rome",
                settings.time_zone
            )
        })?;
        let state = web::Data::new(AppState {
            db,
            facility,
            max_attachment_bytes: settings.max_attachment_bytes,
            late_entry_minutes: settings.late_entry_minutes,
            time_zone,
            checkpointing,
            tokens: TokenKeys::new(
                &jwt_secret,
                Duration::minutes(settings.token_ttl_minutes.into()),
            ),
            policy: SecurityPolicy::from_settings(&settings),
            throttle: Throttle::new(
                settings.rate_limit_per_client_per_minute,
                settings.rate_limit_per_account_per_minute,
            ),
            csrf: crate::auth::CsrfKey::derive(&jwt_secret),
        });
        sign_checkpoints_in_the_background(&state);
        crate::ledger_watch::watch(&state.clone().into_inner(), settings.verify_every_minutes);
        let metrics = serve_metrics(&settings, &state.db)?;
        let server = serve(listener, state, &settings)?;
        tracing::info!(address = %settings.bind, port, "cartrec listening");
        Ok(Application {
            server,
            port,
            metrics,
            bootstrap_password,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `GET /metrics` is served on, when `metrics_bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics {
            Some((metrics, _)) => futures_util::future::try_join(self.server, metrics)
                .await
                .map(|_| ()),
            None => self.server.await,
        }
    }
}

fn serve_metrics(settings: &Settings, db: &Db) -> anyhow::Result<Option<(Server, u16)>> {
    let Some(bind) = &settings.metrics_bind else {
        return Ok(None);
    };
    let listener = TcpListener::bind(bind)?;
    let port = listener.local_addr()?.port();
    tracing::info!(address = %bind, port, "metrics listening");
    let db = db.clone();
    let gauges = std::sync::Arc::new(move || crate::metrics::Gauges {
        pool: db.pool_usage(),
        ledger_trusted: db.ledger_trusted(),
        work: {
            let count = db.work_counts();
            (count.queries, count.batch_reads, count.template_reads)
        },
    });
    Ok(Some((crate::metrics::serve(listener, gauges)?, port)))
}

/// A thread of its own that signs a checkpoint when one is due, for as long as the server's
/// state lives. A refusal (the database is behind or inconsistent with a checkpoint already
/// signed) is logged as an error each time: it needs a person.
fn sign_checkpoints_in_the_background(state: &web::Data<AppState>) {
    let Some(tick) = state.checkpointing.tick() else {
        return;
    };
    let weak = std::sync::Arc::downgrade(&state.clone().into_inner());
    let spawned = std::thread::Builder::new()
        .name("checkpoints".to_owned())
        .spawn(move || loop {
            std::thread::sleep(tick);
            let Some(state) = weak.upgrade() else {
                return;
            };
            let signing = &state.checkpointing;
            match state.db.run_here(|conn| signing.sign_if_due(conn)) {
                Ok(Some(signed)) => tracing::info!(size = signed.size, "checkpoint signed"),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "checkpoint not signed"),
            }
        });
    if let Err(error) = spawned {
        tracing::error!(%error, "the background checkpoint signer did not start");
    }
}

fn serve(
    listener: TcpListener,
    state: web::Data<AppState>,
    settings: &Settings,
) -> std::io::Result<Server> {
    let max_body = settings.max_body_bytes;
    let mut server = HttpServer::new(move || {
        App::new()
            // Innermost, so that its refusal still gets the headers and request id below.
            .wrap(middleware::from_fn(http::limit_uri_length))
            .wrap(middleware::from_fn(crate::web::localize_errors))
            .wrap(security_headers())
            .wrap(middleware::from_fn(telemetry::request_id_header))
            .wrap(TracingLogger::default())
            .wrap(middleware::from_fn(crate::metrics::record_request))
            .app_data(state.clone())
            .configure(crate::web::configure)
            .configure(http::configure(max_body))
    })
    .listen(listener)?;
    if settings.workers > 0 {
        server = server.workers(settings.workers);
    }
    Ok(server.run())
}

/// Headers for every response: no caching of records, no sniffing, no framing, no scripts.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Cache-Control", "no-store"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add(("Referrer-Policy", "no-referrer"))
}
