//! `cartrec validation-report`: the operational qualification evidence a GMP site's QA files
//! (EU GMP Annex 11 §4). It reads the requirements file, the `/// Covers:` tags of the tests
//! and the output of `cargo test` on SQLite and on PostgreSQL, and writes an HTML and a PDF
//! report listing first the requirements without a passing test, then every requirement with
//! its tests and their results on each database.
//!
//! A tag naming an id the requirements file lacks is an error: the report must never credit
//! a test to a requirement nobody wrote down. An uncovered requirement is not an error: it is
//! listed, for QA to decide.

pub mod command;
mod environment;
mod render;
mod report;
mod requirements;
mod results;
mod tags;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use environment::Environment;
pub use report::{Status, Traceability};
pub use results::TestRun;

#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the requirements file: {0}")]
    Requirements(String),
    #[error("{file}:{line}: {message}")]
    Tag {
        file: PathBuf,
        line: usize,
        message: String,
    },
    #[error("tests name requirements the requirements file does not have:\n{0}")]
    UnknownIds(String),
    #[error("the report could not be rendered: {0}")]
    Render(#[from] crate::printable::RenderError),
}

/// What the report is made from.
pub struct Inputs {
    pub requirements: PathBuf,
    /// Directories searched for tagged tests (`src`, `tests`).
    pub sources: Vec<PathBuf>,
    /// The output of `cargo test` on SQLite, then on PostgreSQL.
    pub logs: [PathBuf; 2],
    /// The PostgreSQL the suite ran on, to record its server version.
    pub postgres_url: Option<String>,
    pub out: PathBuf,
}

/// One input file, named with its SHA-256 in the report so the evidence can be matched to
/// the files it was made from.
pub struct InputFile {
    pub label: &'static str,
    pub path: String,
    pub sha256: String,
}

pub struct Evidence {
    pub environment: Environment,
    pub trace: Traceability,
    pub runs: [TestRun; 2],
    pub inputs: Vec<InputFile>,
}

pub struct Written {
    pub html: PathBuf,
    pub pdf: PathBuf,
    pub summary: String,
}

pub fn run(inputs: &Inputs) -> Result<Written, ValidationError> {
    let evidence = gather(inputs)?;
    let rendered = render::render(&evidence)?;
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source: std::io::Error| ValidationError::Write { path, source }
    };
    std::fs::create_dir_all(&inputs.out).map_err(write_error(&inputs.out))?;
    let html = inputs.out.join("validation-report.html");
    let pdf = inputs.out.join("validation-report.pdf");
    std::fs::write(&html, rendered.html).map_err(write_error(&html))?;
    std::fs::write(&pdf, rendered.pdf).map_err(write_error(&pdf))?;
    Ok(Written {
        html,
        pdf,
        summary: evidence.trace.summary(),
    })
}

fn gather(inputs: &Inputs) -> Result<Evidence, ValidationError> {
    let (text, requirements_file) = read(&inputs.requirements, "Requirements file")?;
    let requirements = requirements::parse(&text)?;
    let tagged = tags::scan(&inputs.sources)?;
    let unknown: Vec<String> = tagged
        .iter()
        .flat_map(|t| t.ids.iter().map(move |id| (t, id)))
        .filter(|(_, id)| !requirements.iter().any(|r| r.id == **id))
        .map(|(t, id)| format!("  {}:{} ({}): {id}", t.file.display(), t.line, t.name))
        .collect();
    if !unknown.is_empty() {
        return Err(ValidationError::UnknownIds(unknown.join("\n")));
    }
    let (sqlite_log, sqlite_file) = read(&inputs.logs[0], "Test output on SQLite")?;
    let (postgres_log, postgres_file) = read(&inputs.logs[1], "Test output on PostgreSQL")?;
    let runs = [TestRun::parse(&sqlite_log), TestRun::parse(&postgres_log)];
    Ok(Evidence {
        environment: Environment::read(inputs.postgres_url.as_deref()),
        trace: Traceability::build(&requirements, &tagged, &runs),
        runs,
        inputs: vec![requirements_file, sqlite_file, postgres_file],
    })
}

fn read(path: &Path, label: &'static str) -> Result<(String, InputFile), ValidationError> {
    let bytes = std::fs::read(path).map_err(|source| ValidationError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = InputFile {
        label,
        path: path.display().to_string(),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    Ok((String::from_utf8_lossy(&bytes).into_owned(), file))
}
