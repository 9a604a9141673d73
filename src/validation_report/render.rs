//! The report as sections of the printable record's model, rendered as a PDF by the
//! printable record's writer and as HTML by its own askama template: both say the same.

use askama::Template;

use super::environment::Environment;
use super::report::{Status, Traceability, Traced, BACKENDS};
use super::results::{Outcome, TestRun};
use super::Evidence;
use crate::printable::model::{Block, Section};
use crate::printable::{self, Document, RenderError};

pub const TITLE: &str = "cartrec validation report (operational qualification)";

pub struct Rendered {
    pub html: String,
    pub pdf: Vec<u8>,
}

#[derive(Template)]
#[template(path = "validation/report.html")]
struct ReportPage<'a> {
    title: &'a str,
    generated_at: &'a str,
    sections: &'a [Section],
}

pub fn render(evidence: &Evidence) -> Result<Rendered, RenderError> {
    let sections = sections(evidence);
    let env = &evidence.environment;
    let html = ReportPage {
        title: TITLE,
        generated_at: &env.generated_at,
        sections: &sections,
    }
    .render()?;
    let pdf = printable::pdf_document(&Document {
        title: TITLE,
        printed_at: &env.generated_at,
        sections: &sections,
        footer: vec![format!("cartrec {} · commit {}", env.version, env.commit)],
        page_note: String::new(),
    })?;
    Ok(Rendered { html, pdf })
}

fn sections(evidence: &Evidence) -> Vec<Section> {
    let trace = &evidence.trace;
    let mut all = vec![
        about(&evidence.environment, evidence),
        summary(trace, &evidence.runs),
        open(trace),
    ];
    let mut groups: Vec<&str> = Vec::new();
    for traced in &trace.requirements {
        let group = traced.requirement.group();
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    for group in groups {
        let mut section = Section::new(format!("Requirements and their tests: {group}"));
        for traced in trace
            .requirements
            .iter()
            .filter(|t| t.requirement.group() == group)
        {
            requirement(&mut section, traced);
        }
        all.push(section);
    }
    all
}

fn about(env: &Environment, evidence: &Evidence) -> Section {
    let mut section = Section::new("What was tested, where and when");
    section.note(
        "Each requirement below is a control of 21 CFR Part 11 or EU GMP Annex 11 that cartrec \
         implements, or a GMP rule of its design. Each is checked by the automated tests named \
         beside it; the whole test suite ran once on SQLite and once on PostgreSQL, and each \
         test's result on each database is shown.",
    );
    let mut fields = vec![
        ("Product", format!("cartrec {}", env.version)),
        ("Source code commit", env.commit.clone()),
        ("Report made", env.generated_at.clone()),
        ("Operating system", env.os.clone()),
        ("Machine", env.machine.clone()),
        ("Rust compiler", env.rustc.clone()),
        ("SQLite", env.sqlite.clone()),
        ("PostgreSQL", env.postgres.clone()),
    ];
    for input in &evidence.inputs {
        fields.push((
            input.label,
            format!("{} (SHA-256 {})", input.path, input.sha256),
        ));
    }
    section.fields(fields);
    section
}

fn summary(trace: &Traceability, runs: &[TestRun; 2]) -> Section {
    let mut section = Section::new("Summary");
    section.note(trace.summary());
    let mut fields = vec![
        ("Requirements", trace.requirements.len().to_string()),
        ("Passed", trace.count(Status::Passed).to_string()),
        ("No test", trace.count(Status::NoTest).to_string()),
        ("Test failed", trace.count(Status::Failed).to_string()),
        (
            "Not run on every database",
            trace.count(Status::NotRun).to_string(),
        ),
        ("Tests naming a requirement", trace.tagged_tests.to_string()),
    ];
    let results: Vec<(&str, String)> = BACKENDS
        .iter()
        .zip(runs)
        .map(|(backend, run)| {
            (
                *backend,
                format!(
                    "{} tests passed, {} failed, {} ignored",
                    run.count(Outcome::Passed),
                    run.count(Outcome::Failed),
                    run.count(Outcome::Ignored)
                ),
            )
        })
        .collect();
    fields.extend(results);
    section.fields(fields);
    section
}

fn open(trace: &Traceability) -> Section {
    let mut section = Section::new("Requirements without a passing test");
    let open = trace.open();
    if open.is_empty() {
        section.note("Every requirement has at least one passing test on both databases.");
        return section;
    }
    section.note(
        "These requirements are not shown to be met by a passing test on both databases. \
         \"No test\": no automated test checks it yet. \"Test failed\": a test checking it \
         failed. \"Not run on every database\": its tests were ignored or did not run on one \
         database.",
    );
    let rows = open
        .iter()
        .map(|t| {
            vec![
                t.requirement.id.clone(),
                t.requirement.title.clone(),
                t.requirement.clause.clone(),
                t.status.label().to_owned(),
            ]
        })
        .collect();
    section.table(
        &[("Id", 2), ("Requirement", 5), ("From", 4), ("Status", 3)],
        rows,
    );
    section
}

fn requirement(section: &mut Section, traced: &Traced) {
    let r = &traced.requirement;
    section.heading(format!("{} {}", r.id, r.title));
    section.fields(vec![
        ("Requirement", r.statement.clone()),
        ("From", r.clause.clone()),
        ("Status", traced.status.label().to_owned()),
    ]);
    if traced.tests.is_empty() {
        section.note("No test checks this requirement.");
        return;
    }
    let rows = traced
        .tests
        .iter()
        .map(|t| {
            vec![
                t.name.replace('_', " "),
                t.test.clone(),
                t.outcomes[0].label().to_owned(),
                t.outcomes[1].label().to_owned(),
            ]
        })
        .collect();
    section.table(
        &[
            ("Test", 8),
            ("Where", 6),
            (BACKENDS[0], 2),
            (BACKENDS[1], 2),
        ],
        rows,
    );
}
