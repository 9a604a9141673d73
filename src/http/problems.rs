//! The problem responses operations share, as `components/responses`: an annotation names one
//! with `(status = 404, response = NotFound)`. They only describe answers, and are never built.

#![allow(dead_code)]

use utoipa::ToResponse;

use crate::error::Problem;

/// The request could not be read: malformed JSON, a wrong type, a bad query or header.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(Problem<'static>);

/// No bearer token, or an invalid or expired one, or an ended session (`WWW-Authenticate:
/// Bearer`); at login, wrong credentials or a locked account.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(Problem<'static>);

/// The caller's roles do not permit this (see the operation's "Who may call"), or the
/// temporary password must be changed first, or the record refuses this person.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(Problem<'static>);

/// The record named in the path does not exist.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem<'static>);

/// The record's state does not allow this now, someone else wrote at the same moment
/// (`stale`), or the `Idempotency-Key` was claimed by an earlier version for a request
/// that never answered (`request_in_progress`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(Problem<'static>);

/// `If-Match` named a position the record has moved past; read it again.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionFailed(Problem<'static>);

/// The body is larger than this server accepts.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem<'static>);

/// The request was read but refused by a rule (an invalid value, a wrong signature password,
/// an `Idempotency-Key` reused for another request).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(Problem<'static>);

/// Too many failed password attempts from this client or for this user; see `Retry-After`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TooManyAttempts(Problem<'static>);
