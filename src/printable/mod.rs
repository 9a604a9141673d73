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

pub use crate::render_error::RenderError;
pub use model::{assemble, Footer, PrintableRecord};
pub use pdf::Document;

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
