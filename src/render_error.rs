//! What rendering a printable document (the batch record, the validation report) can fail
//! with. A leaf, so that the service's error type carries it without importing the printing
//! that raises it.

/// Rendering failures: each is a fault of the server (a vendored font it cannot read), never
/// of the request.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the vendored font {0} cannot be read")]
    Font(String),
    #[error("the font subset could not be made: {0}")]
    Subset(String),
    #[error("the HTML could not be rendered: {0}")]
    Html(#[from] askama::Error),
    #[error("the PDF was not finished: its task stopped")]
    Interrupted,
}
