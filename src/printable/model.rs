//! The printable record as one document: the batch's header, then sections of labelled fields,
//! tables and notes, then the footer every page carries. Both renderers (HTML and PDF) lay out
//! this same model, so what an inspector prints and what they download cannot say different
//! things.

use chrono::{DateTime, Utc};

use super::{after, manufacturing};
use crate::db::DbConn;
use crate::domain::batch::{Batch, BatchEvent};
use crate::error::ServiceError;
use crate::ledger;
use crate::services::batches::{self, BatchView};

/// What every page footer states: the signed checkpoint the record was printed against, and
/// the SHA-256 of the batch's export bundle, so a printed page can be tied to the evidence an
/// inspector verifies offline.
#[derive(Debug, Clone)]
pub struct Footer {
    pub origin: String,
    pub checkpoint_size: u64,
    pub checkpoint_root_base64: String,
    /// Lowercase hex SHA-256 of the export bundle against that checkpoint.
    pub bundle_sha256: String,
}

impl Footer {
    pub fn checkpoint_line(&self) -> String {
        format!(
            "Checkpoint {} · tree size {} · root {}",
            self.origin, self.checkpoint_size, self.checkpoint_root_base64
        )
    }

    pub fn bundle_line(&self) -> String {
        format!("Export bundle SHA-256 {}", self.bundle_sha256)
    }
}

pub struct PrintableRecord {
    pub batch_number: String,
    pub title: String,
    /// When the record was printed (UTC), and how many events of the batch it shows.
    pub printed_at: String,
    pub sections: Vec<Section>,
    pub footer: Footer,
}

impl PrintableRecord {
    /// Where the bundle the footer names is fetched again, byte for byte.
    pub fn bundle_source(&self) -> String {
        format!(
            "GET /api/v1/batches/{}/export?checkpoint={}",
            self.batch_number, self.footer.checkpoint_size
        )
    }
}

pub struct Section {
    pub title: String,
    pub blocks: Vec<Block>,
}

pub enum Block {
    /// A heading inside a section (one step, one shipment).
    Heading(String),
    /// A heading inside that (one record of a step).
    Subheading(String),
    /// Label and value pairs.
    Fields(Vec<(String, String)>),
    Table(Table),
    /// A sentence, e.g. "No deviations were raised."
    Note(String),
}

pub struct Table {
    pub columns: Vec<&'static str>,
    /// Relative column widths for the PDF; the HTML lets the browser decide.
    pub weights: Vec<u8>,
    pub rows: Vec<Vec<String>>,
}

impl Section {
    pub fn new(title: impl Into<String>) -> Self {
        Section {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    pub fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    pub fn subheading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Subheading(text.into()));
    }

    pub fn fields(&mut self, fields: Vec<(&str, String)>) {
        let fields = fields
            .into_iter()
            .map(|(label, value)| (label.to_owned(), value))
            .collect();
        self.blocks.push(Block::Fields(fields));
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Note(text.into()));
    }

    /// A table, or nothing when it has no rows.
    pub fn table(&mut self, columns: &[(&'static str, u8)], rows: Vec<Vec<String>>) {
        if rows.is_empty() {
            return;
        }
        self.blocks.push(Block::Table(Table {
            columns: columns.iter().map(|(name, _)| *name).collect(),
            weights: columns.iter().map(|(_, weight)| *weight).collect(),
            rows,
        }));
    }
}

/// The record of one batch, from the same services that serve its JSON view. `footer` runs
/// once the record is read, so that the checkpoint it names covers every entry shown.
pub fn assemble(
    conn: &mut DbConn,
    batch_number: &str,
    footer: impl FnOnce(&mut DbConn) -> Result<Footer, ServiceError>,
) -> Result<PrintableRecord, ServiceError> {
    let view = batches::record_view(conn, batch_number)?;
    // The view shows only the hold in force; the record shows every hold, lifted or not.
    let events = ledger::stream_events::<BatchEvent>(conn, &batches::stream(batch_number)?)?;
    let batch = Batch::fold(&events)?;
    let template = crate::services::templates::pinned_version(
        conn,
        &view.template.code,
        view.template.version,
    )?;
    let footer = footer(conn)?;
    let holds = batch.map(|b| b.holds).unwrap_or_default();
    let mut sections = vec![summary(&view)];
    sections.extend(manufacturing::stages(&view, &template));
    sections.push(manufacturing::deviations(&view));
    sections.push(after::holds(&holds, &view));
    sections.extend(after::sections(&view.after_manufacturing));
    Ok(PrintableRecord {
        title: format!("Batch record {}", view.batch_number),
        batch_number: view.batch_number,
        printed_at: format!(
            "{}, showing the batch's {} events",
            Utc::now().format("%Y-%m-%d %H:%M:%S UTC"),
            view.position
        ),
        sections,
        footer,
    })
}

fn summary(view: &BatchView) -> Section {
    let mut section = Section::new("Batch");
    section.fields(vec![
        ("Batch number", view.batch_number.clone()),
        ("State", view.state.as_str().replace('_', " ")),
        (
            "Process template",
            format!("{} version {}", view.template.code, view.template.version),
        ),
        ("Chain of identity", view.coi_printed.clone()),
        ("Patient code", view.patient.patient_code.clone()),
        ("Date of birth", view.patient.date_of_birth.clone()),
        ("Treating site", view.patient.treating_site.clone()),
        ("Patient weight", format!("{} kg", view.patient.weight_kg)),
        ("Created by", view.created_by.clone()),
        ("Identity mismatches", view.coi_mismatches.to_string()),
    ]);
    if let Some(reason) = &view.terminated {
        section.note(format!("The batch was terminated: {reason}"));
    }
    section
}

/// A stored RFC 3339 time as a person reads it, in UTC to the second; a value that does not
/// parse is shown as stored rather than hidden.
pub fn when(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_owned())
}

pub fn optional(value: Option<&String>) -> String {
    value.cloned().unwrap_or_else(|| "—".to_owned())
}

pub fn optional_time(value: Option<&String>) -> String {
    value.map_or_else(|| "—".to_owned(), |t| when(t))
}

/// "who at when", or a dash for what has not happened (not yet verified, not witnessed).
pub fn by_at(by: Option<&String>, at: Option<&String>) -> String {
    match by {
        Some(by) => format!("{by} at {}", optional_time(at)),
        None => "—".to_owned(),
    }
}

pub fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}
