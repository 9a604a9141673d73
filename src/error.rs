//! The one place where errors become HTTP responses: RFC 7807 `application/problem+json`
//! with a stable `type` URI per error code and a human `detail`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::auth::AuthError;
use crate::db::DbError;
use crate::domain::account::InvalidAccountRow;
use crate::domain::{DomainError, Refusal};
use crate::ledger::LedgerError;

const PROBLEM_BASE: &str = "https://cartrec.org/problems/";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Render(#[from] crate::render_error::RenderError),
    /// The request itself could not be read (malformed JSON, wrong types, bad query string).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// A method the path does not serve; `allow` lists those it does (the `Allow` header).
    #[error("method {method} is not allowed here (allowed: {allow})")]
    MethodNotAllowed { method: String, allow: String },
    #[error("the request body is larger than this server accepts")]
    PayloadTooLarge,
    /// The request target (path and query) is longer than this many bytes.
    #[error("the request URI is longer than the {0} bytes this server accepts")]
    UriTooLong(usize),
    /// `If-Match` named a position the record has moved past.
    #[error("the record has changed since you read it (it is at \"{actual}\", you sent \"{expected}\"); read it again")]
    PreconditionFailed { expected: i64, actual: i64 },
    /// A retry whose key an earlier version claimed, in a step of its own, for a request that
    /// never answered (cut off by a crash): whether it was recorded is unknown. Keys are now
    /// claimed in the write's transaction, so none is left like this any more.
    #[error("a request with this Idempotency-Key is still running or was interrupted; read the record to see whether it was recorded")]
    RequestInProgress,
    /// A retry with an `Idempotency-Key` already used for another request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyKeyReused,
    #[error(transparent)]
    InvalidStoredAccount(#[from] InvalidAccountRow),
}

/// What the services (accounts, signatures, templates, materials, batches, projections) answer
/// when they refuse or fail: a domain refusal, or an error of a layer below. Nothing of HTTP is
/// in it; only this file turns it into a response (through [`AppError`]).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Db(#[from] DbError),
    /// The caller decided on a position of the stream it has since moved past (`If-Match`).
    #[error("the record is at {actual}, not at {expected}")]
    PreconditionFailed { expected: i64, actual: i64 },
    #[error(transparent)]
    InvalidStoredAccount(#[from] InvalidAccountRow),
}

impl ServiceError {
    /// Counts a login refused for its credentials; other failures (a busy database, the rate
    /// limit) are left to `problems_total`.
    pub fn count_login_refusal(&self) {
        if matches!(self, ServiceError::Auth(AuthError::InvalidCredentials)) {
            crate::metrics::login_refused();
        }
    }
}

/// A service's refusal about one input of its command; failures of the layers below concern
/// no input and pass unchanged.
impl<T> crate::domain::About for Result<T, ServiceError> {
    fn about(self, field: &str) -> Self {
        self.map_err(|e| match e {
            ServiceError::Domain(refused) => ServiceError::Domain(refused.about(field)),
            other => other,
        })
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(e: diesel::result::Error) -> Self {
        ServiceError::Db(DbError::Query(e))
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Domain(e) => AppError::Domain(e),
            ServiceError::Auth(e) => AppError::Auth(e),
            ServiceError::Ledger(e) => AppError::Ledger(e),
            ServiceError::Db(e) => AppError::Db(e),
            ServiceError::PreconditionFailed { expected, actual } => {
                AppError::PreconditionFailed { expected, actual }
            }
            ServiceError::InvalidStoredAccount(e) => AppError::InvalidStoredAccount(e),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Db(DbError::Query(e))
    }
}

/// An RFC 7807 problem, as every refusal and failure is answered (`application/problem+json`).
// The OpenAPI document's `Problem` schema is derived from this struct, so that it cannot drift
// from what is written.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Problem<'a> {
    /// `https://cartrec.org/problems/<code>`: stable, one per error code.
    #[serde(rename = "type")]
    #[schema(example = "https://cartrec.org/problems/forbidden")]
    type_uri: String,
    /// The HTTP status's short name, e.g. `Forbidden`.
    title: &'a str,
    /// The HTTP status code, repeated.
    status: u16,
    /// What went wrong, for a person to read; never database or ledger internals.
    detail: String,
    /// Stable machine-readable code, e.g. `forbidden`, `invalid_token`, `stale`.
    code: &'a str,
    /// The request's member the refusal concerns, where it concerns one (`coi`,
    /// `patient_weight_kg`, or a step's field id inside `values`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "patient_weight_kg")]
    field: Option<&'a str>,
}

impl AppError {
    /// The request's input a domain refusal is about, if it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Domain(e) => e.field.as_deref(),
            _ => None,
        }
    }

    /// Stable machine-readable code; also the last segment of the problem `type` URI.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Domain(e) => e.code,
            AppError::Auth(e) => match e {
                AuthError::InvalidCredentials => "invalid_credentials",
                AuthError::MissingToken => "missing_token",
                AuthError::InvalidToken => "invalid_token",
                AuthError::SessionEnded => "session_ended",
                AuthError::Forbidden(_) | AuthError::NoRule => "forbidden",
                AuthError::AccountLocked { .. } => "account_locked",
                AuthError::TooManyAttempts { .. } => "too_many_attempts",
                AuthError::PasswordChangeRequired => "password_change_required",
                AuthError::Hashing => "internal_error",
            },
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound(_) => "not_found",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UriTooLong(_) => "uri_too_long",
            AppError::PreconditionFailed { .. } => "precondition_failed",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::RequestInProgress => "request_in_progress",
            AppError::Ledger(LedgerError::Stale { .. }) => "stale",
            AppError::Ledger(LedgerError::Proof(_) | LedgerError::BeyondLedger { .. }) => {
                "invalid_proof_request"
            }
            AppError::Ledger(LedgerError::TreeIncomplete { .. }) => "merkle_tree_behind",
            AppError::Ledger(LedgerError::CheckpointInconsistent(_)) => "checkpoint_inconsistent",
            AppError::Ledger(LedgerError::Unverified { .. }) => "ledger_unverified",
            AppError::Ledger(LedgerError::IncidentOpen { .. }) => "ledger_incident_open",
            AppError::Ledger(LedgerError::HeadMismatch(_)) => "ledger_head_mismatch",
            AppError::Ledger(LedgerError::NodeConflict { .. }) => "merkle_node_conflict",
            AppError::InvalidStoredAccount(_) => "internal_error",
            AppError::Render(_) => "internal_error",
            AppError::Ledger(_) | AppError::Db(_) => "internal_error",
        }
    }

    fn title(&self) -> &'static str {
        match self.status_code() {
            StatusCode::BAD_REQUEST => "Bad request",
            StatusCode::UNAUTHORIZED => "Not authenticated",
            StatusCode::FORBIDDEN => "Forbidden",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "Payload too large",
            StatusCode::URI_TOO_LONG => "URI too long",
            StatusCode::CONFLICT => "Conflict",
            StatusCode::PRECONDITION_FAILED => "Precondition failed",
            StatusCode::UNPROCESSABLE_ENTITY => "Refused",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            StatusCode::SERVICE_UNAVAILABLE => "Service unavailable",
            _ => "Internal error",
        }
    }

    fn detail(&self) -> String {
        match self {
            AppError::Ledger(LedgerError::Stale { .. }) => {
                "someone else recorded on this record at the same moment; nothing of yours was \
                 recorded: read it again and decide on what it says now"
                    .to_owned()
            }
            AppError::Ledger(e @ (LedgerError::Proof(_) | LedgerError::BeyondLedger { .. })) => {
                e.to_string()
            }
            AppError::Ledger(e @ LedgerError::CheckpointInconsistent(_)) => format!(
                "refusing to sign a checkpoint: {e}; nothing was signed, and the database must \
                 be examined before any further checkpoint"
            ),
            AppError::Ledger(LedgerError::TreeIncomplete { .. }) => {
                "the Merkle tree has not caught up with entries inserted outside the service; \
                 it does at the next append or start"
                    .to_owned()
            }
            AppError::Ledger(LedgerError::Unverified { seq, reason }) => format!(
                "the ledger did not verify (first bad entry: seq {seq}: {reason}); this instance \
                 records and signs nothing until it verifies again, and nothing of this request \
                 was recorded"
            ),
            AppError::Ledger(LedgerError::IncidentOpen { seq, reason }) => format!(
                "the ledger verifies again, but this instance stopped trusting it (seq {seq}: \
                 {reason}); it records nothing but sign-ins and the incident record until QA \
                 has recorded the incident and an administrator has confirmed it; nothing of \
                 this request was recorded"
            ),
            AppError::Ledger(
                e @ (LedgerError::HeadMismatch(_) | LedgerError::NodeConflict { .. }),
            ) => {
                format!(
                    "{e}; the ledger was changed around cartrec, so this instance records and \
                     signs nothing until it verifies again; nothing of this request was recorded"
                )
            }
            // Never leak database or ledger internals to the client; they are logged instead.
            AppError::Ledger(_)
            | AppError::Db(_)
            | AppError::InvalidStoredAccount(_)
            | AppError::Render(_)
            | AppError::Auth(AuthError::Hashing) => {
                "the server could not complete the request; nothing was recorded".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Domain(e) => match e.refusal {
                Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Refusal::Conflict => StatusCode::CONFLICT,
                Refusal::NotFound => StatusCode::NOT_FOUND,
                Refusal::Forbidden => StatusCode::FORBIDDEN,
            },
            AppError::Auth(e) => match e {
                AuthError::InvalidCredentials
                | AuthError::MissingToken
                | AuthError::InvalidToken
                | AuthError::SessionEnded
                | AuthError::AccountLocked { .. } => StatusCode::UNAUTHORIZED,
                AuthError::Forbidden(_) | AuthError::NoRule | AuthError::PasswordChangeRequired => {
                    StatusCode::FORBIDDEN
                }
                AuthError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                AuthError::Hashing => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            AppError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RequestInProgress => StatusCode::CONFLICT,
            AppError::Ledger(LedgerError::Stale { .. }) => StatusCode::CONFLICT,
            AppError::Ledger(LedgerError::Proof(_) | LedgerError::BeyondLedger { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Ledger(LedgerError::TreeIncomplete { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Ledger(LedgerError::CheckpointInconsistent(_)) => StatusCode::CONFLICT,
            AppError::Ledger(
                LedgerError::Unverified { .. }
                | LedgerError::IncidentOpen { .. }
                | LedgerError::HeadMismatch(_)
                | LedgerError::NodeConflict { .. },
            ) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InvalidStoredAccount(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Db(DbError::Pool(_)) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Ledger(_) | AppError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, cause = ?self, "request failed");
        } else {
            tracing::info!(code = self.code(), detail = %self, "request refused");
        }
        let code = self.code();
        crate::metrics::problem(code);
        let problem = Problem {
            type_uri: format!("{PROBLEM_BASE}{code}"),
            title: self.title(),
            status: status.as_u16(),
            detail: self.detail(),
            code,
            field: self.field(),
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let AppError::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, allow.as_str()));
        }
        if let AppError::Auth(AuthError::TooManyAttempts {
            retry_after_seconds,
        }) = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_seconds.to_string()));
        }
        response.json(problem)
    }
}
