//! `cartrec validation-report` on a small fixture: a requirements file, tagged tests and the
//! saved output of two test runs. The requirement no test covers, and the one whose test
//! failed, come first in both the HTML and the PDF; a tag naming an unknown id is an error.

use std::path::Path;
use std::process::{Command, Output};

const REQUIREMENTS: &str = concat!(
    "[[requirement]]\nid = \"FIX-1\"\ntitle = \"Covered rule\"\n",
    "clause = \"Fixture §1\"\nstatement = \"A rule a passing test checks.\"\n\n",
    "[[requirement]]\nid = \"FIX-2\"\ntitle = \"Uncovered rule\"\n",
    "clause = \"Fixture §2\"\nstatement = \"A rule no test checks.\"\n\n",
    "[[requirement]]\nid = \"FIX-3\"\ntitle = \"Failing rule\"\n",
    "clause = \"Fixture §3\"\nstatement = \"A rule whose test failed.\"\n",
);

// Each line of the fixture is a string of its own, so that no line of this file is a tag.
const TESTS: &str = concat!(
    "/// Covers: FIX-1\n",
    "#[tokio::test]\n",
    "async fn the_covered_rule_holds() {}\n\n",
    "/// Covers: FIX-3\n",
    "#[tokio::test]\n",
    "async fn the_failing_rule_holds() {}\n",
);

fn log(failing: &str) -> String {
    format!(
        "     Running tests/api/main.rs (target/debug/deps/api-0123)\n\nrunning 2 tests\n\
         test sample::the_covered_rule_holds ... ok\n\
         test sample::the_failing_rule_holds ... {failing}\n"
    )
}

fn fixture(dir: &Path, tests: &str) {
    std::fs::create_dir_all(dir.join("validation")).expect("dir");
    std::fs::create_dir_all(dir.join("tests/api")).expect("dir");
    std::fs::create_dir_all(dir.join("src")).expect("dir");
    std::fs::write(dir.join("validation/requirements.toml"), REQUIREMENTS).expect("written");
    std::fs::write(dir.join("tests/api/sample.rs"), tests).expect("written");
    std::fs::write(dir.join("sqlite.log"), log("ok")).expect("written");
    std::fs::write(dir.join("postgres.log"), log("FAILED")).expect("written");
}

fn report(dir: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cartrec"));
    command.current_dir(dir).args([
        "validation-report",
        "--sqlite-log",
        "sqlite.log",
        "--postgres-log",
        "postgres.log",
    ]);
    // On PostgreSQL the report records the server's version too.
    if let Ok(url) = std::env::var("CARTREC_TEST_DATABASE") {
        command.args(["--postgres-url", &url]);
    }
    command.output().expect("runs")
}

/// Where each text first appears, in order; panics naming a text that is missing.
fn positions(text: &str, wanted: &[&str]) -> Vec<usize> {
    wanted
        .iter()
        .map(|w| {
            text.find(w)
                .unwrap_or_else(|| panic!("{w:?} missing from {text}"))
        })
        .collect()
}

/// Covers: A11-4
#[test]
fn the_report_lists_the_requirements_without_a_passing_test_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    fixture(dir.path(), TESTS);
    let output = report(dir.path());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.starts_with(
            "3 requirements: 1 passed on SQLite and PostgreSQL, 2 without a passing test \
             (1 with no test, 1 with a failed test, 0 not run on every database); \
             2 tagged tests"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("wrote target/validation-report/validation-report.pdf"),
        "{stdout}"
    );
    let out = dir.path().join("target/validation-report");

    let html = std::fs::read_to_string(out.join("validation-report.html")).expect("HTML");
    let bytes = std::fs::read(out.join("validation-report.pdf")).expect("PDF");
    assert!(bytes.starts_with(b"%PDF-"));
    let pdf = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text");
    for text in [&html, &pdf] {
        // The uncovered requirement, then the failing one, before every requirement's
        // section; the passing one only there.
        let at = positions(
            text,
            &["FIX-2", "FIX-3", "Requirements and their tests", "FIX-1"],
        );
        assert!(at[0] < at[1] && at[1] < at[2] && at[2] < at[3], "{at:?}");
        positions(
            text,
            &[
                "Uncovered rule",
                "No test",
                "Test failed",
                "the covered rule holds",
                "tests/api/sample.rs:1",
                "FAILED",
                "SQLite 3.",
            ],
        );
    }
    if std::env::var("CARTREC_TEST_DATABASE").is_ok() {
        assert!(html.contains("PostgreSQL 1"), "the server's version");
    }
}

/// Covers: A11-4
#[test]
fn a_tag_naming_an_unknown_requirement_fails_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    fixture(dir.path(), &TESTS.replace("FIX-3", "FIX-9"));
    let output = report(dir.path());
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("tests/api/sample.rs:5 (the_failing_rule_holds): FIX-9"),
        "{stderr}"
    );
    assert!(!dir.path().join("target/validation-report").exists());
}
