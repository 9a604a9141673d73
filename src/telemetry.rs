//! Telemetry in one place: a tracing subscriber (pretty or JSON) and per-request spans with a
//! request id (tracing-actix-web's `TracingLogger`).

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber. `RUST_LOG` wins over the configured level when set.
/// Logs go to stderr so that stdout carries only what a command prints for the user.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(
                fmt::layer()
                    .with_ansi(wants_colour(&std::io::stderr()))
                    .with_writer(std::io::stderr),
            )
            .try_init(),
    };
    // A second init (tests, benches) keeps the first subscriber.
    drop(result);
}

/// Colour codes only for a person at a terminal: a file, a pipe or a journal would keep
/// them as noise. `NO_COLOR` (no-color.org) turns them off on a terminal too.
pub fn wants_colour(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Returns the request id that every log line of the request carries as `x-request-id`, so
/// that a problem a user reports can be found in the logs.
pub async fn request_id_header(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderName, HeaderValue};
    use actix_web::HttpMessage;

    let id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .copied();
    let mut response = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek};

    use tracing_subscriber::fmt;

    use super::wants_colour;

    #[test]
    fn pretty_logs_written_to_a_file_carry_no_colour_codes() {
        let mut file = tempfile::tempfile().expect("temp file");
        assert!(!wants_colour(&file), "a file is not a terminal");
        let writer = file.try_clone().expect("second handle");
        let subscriber = fmt()
            .with_ansi(wants_colour(&file))
            .with_writer(std::sync::Mutex::new(writer))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(code = "stale", "request refused");
        });
        let mut written = String::new();
        file.rewind().expect("rewind");
        file.read_to_string(&mut written).expect("read back");
        assert!(written.contains("request refused"), "{written}");
        assert!(!written.contains('\u{1b}'), "no escape codes: {written:?}");
    }
}
