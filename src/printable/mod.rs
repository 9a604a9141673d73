//! The printable batch record (issue 14, item 7): what an inspector prints and files. One
//! model ([`model::assemble`]) read from the services behind the batch's JSON view, rendered
//! as HTML with print CSS and as a PDF, with the checkpoint and the export bundle's SHA-256 in
//! every page footer.

mod after;
mod font;
mod html;
mod layout;
mod manufacturing;
pub mod model;
mod pdf;

pub use model::{assemble, Footer, PrintableRecord};
pub use pdf::Document;

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

pub fn html(record: &PrintableRecord) -> Result<String, RenderError> {
    html::render(record)
}

pub fn pdf(record: &PrintableRecord) -> Result<Vec<u8>, RenderError> {
    pdf::render(record)
}

/// Any other document (the validation report) on the record's page layout, fonts and footer.
pub fn pdf_document(document: &Document) -> Result<Vec<u8>, RenderError> {
    pdf::render_document(document)
}
