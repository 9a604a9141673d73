//! The printable record as one self-contained HTML page (askama; every value escaped): inline
//! print CSS, no script, no external font or stylesheet, the footer repeated on every printed
//! page.

use askama::Template;

use super::model::{Block, PrintableRecord};
use super::RenderError;

#[derive(Template)]
#[template(path = "print/record.html")]
struct RecordPage<'a> {
    record: &'a PrintableRecord,
}

pub fn render(record: &PrintableRecord) -> Result<String, RenderError> {
    Ok(RecordPage { record }.render()?)
}
