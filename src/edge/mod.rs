//! What both doors of the service stand on, the API (`http/`) and the web UI (`web/`): the
//! server's state, and the edge of a signed request (the client's address, the rate limits,
//! the password check of a signature and the write it signs). Neither door imports the other.

pub mod downloads;

use actix_web::{web, HttpRequest};

use crate::auth::{SignatureInput, SignatureMeaning, Throttle, TokenKeys};
use crate::db::DbConn;
use crate::error::{AppError, ServiceError};
use crate::runner::Db;
use crate::services::accounts::{Principal, SecurityPolicy};
use crate::services::signatures::VerifiedSigner;

pub struct AppState {
    pub db: Db,
    /// This site's ISBT 128 facility identification number, for the identifiers it assigns.
    pub facility: crate::domain::coi::FacilityId,
    pub max_attachment_bytes: usize,
    /// Minutes after the time it states that a step record counts as a late entry.
    pub late_entry_minutes: u32,
    /// The site's time zone, in which the web UI shows and reads times.
    pub time_zone: chrono_tz::Tz,
    pub checkpointing: crate::services::checkpointing::Checkpointing,
    pub tokens: TokenKeys,
    pub policy: SecurityPolicy,
    pub throttle: Throttle,
    /// The key of the web UI's form tokens.
    pub csrf: crate::auth::CsrfKey,
}

impl crate::ledger_watch::Watched for AppState {
    fn db(&self) -> &Db {
        &self.db
    }

    fn evidence(&self) -> crate::ledger::Evidence {
        self.checkpointing.evidence()
    }
}

/// The write a signature authorizes: run in the signature's own transaction, after the
/// password check, with the verified signer to put in its events.
pub trait SignedWork<T>:
    FnOnce(&mut DbConn, &Principal, VerifiedSigner) -> Result<T, ServiceError> + Send + 'static
{
}

impl<T, F> SignedWork<T> for F where
    F: FnOnce(&mut DbConn, &Principal, VerifiedSigner) -> Result<T, ServiceError> + Send + 'static
{
}

/// The client's address as the socket saw it (forwarded headers are not trusted).
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr()
        .map_or_else(|| "unknown".to_owned(), |addr| addr.ip().to_string())
}

/// Runs a signed write on the blocking pool: counts the password attempt against the rate
/// limits, re-checks the caller's password for the action's one `meaning`, and hands the
/// verified signer to `work`, which applies it in the write's own transaction.
pub async fn signed<T, F>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: Principal,
    input: crate::auth::SignatureInput,
    meaning: crate::auth::SignatureMeaning,
    work: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: SignedWork<T>,
{
    let client = client_address(req);
    state.throttle.check(&client, who.username.as_str())?;
    let policy = state.policy.clone();
    let done = state
        .db
        .run(move |conn| {
            let signer = crate::services::signatures::verify_signer_for(
                conn, &policy, &who, input, meaning, &client,
            )?;
            work(conn, &who, signer)
        })
        .await?;
    Ok(done)
}

/// The whole verification (`incidents::verify_now`), then the signed work: the verification
/// comes before the password check, since a signature must follow its check within a minute
/// however long the ledger is. For the API and the UI alike.
pub(crate) async fn verified_then_signed<T, F>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    who: Principal,
    (input, meaning): (SignatureInput, SignatureMeaning),
    work: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: SignedWork<T>,
{
    let evidence = state.checkpointing.evidence();
    state
        .db
        .run(move |conn| crate::services::incidents::verify_now(conn, &evidence))
        .await?;
    signed(req, state, who, input, meaning, work).await
}
