//! The report's content: each requirement with its tests and their results per database, and
//! its status. Requirements without a passing test come first, since they are what QA must
//! act on.

use super::requirements::Requirement;
use super::results::{Outcome, TestRun};
use super::tags::TaggedTest;

/// The databases the suite runs on, in the report's column order.
pub const BACKENDS: [&str; 2] = ["SQLite", "PostgreSQL"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// No test names the requirement.
    NoTest,
    /// A test of it failed on some database.
    Failed,
    /// None failed, but on some database none passed either (ignored or not run).
    NotRun,
    /// At least one of its tests passed on every database and none failed.
    Passed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NoTest => "No test",
            Status::Failed => "Test failed",
            Status::NotRun => "Not run on every database",
            Status::Passed => "Passed",
        }
    }
}

pub struct TestLine {
    /// `file:line name`, where the tag is.
    pub test: String,
    pub name: String,
    /// One outcome per entry of [`BACKENDS`].
    pub outcomes: [Outcome; 2],
}

pub struct Traced {
    pub requirement: Requirement,
    pub tests: Vec<TestLine>,
    pub status: Status,
}

pub struct Traceability {
    /// In the requirements file's order.
    pub requirements: Vec<Traced>,
    pub tagged_tests: usize,
}

impl Traceability {
    pub fn build(
        requirements: &[Requirement],
        tagged: &[TaggedTest],
        runs: &[TestRun; 2],
    ) -> Traceability {
        let requirements = requirements
            .iter()
            .map(|requirement| {
                let tests: Vec<TestLine> = tagged
                    .iter()
                    .filter(|t| t.ids.contains(&requirement.id))
                    .map(|t| test_line(t, runs))
                    .collect();
                let status = status(&tests);
                Traced {
                    requirement: requirement.clone(),
                    tests,
                    status,
                }
            })
            .collect();
        Traceability {
            requirements,
            tagged_tests: tagged.len(),
        }
    }

    /// The requirements with no passing test, worst first, each group in file order.
    pub fn open(&self) -> Vec<&Traced> {
        let mut open: Vec<&Traced> = self
            .requirements
            .iter()
            .filter(|t| t.status != Status::Passed)
            .collect();
        open.sort_by_key(|t| t.status);
        open
    }

    pub fn count(&self, status: Status) -> usize {
        self.requirements
            .iter()
            .filter(|t| t.status == status)
            .count()
    }

    /// The one line CI prints and the report's summary opens with.
    pub fn summary(&self) -> String {
        let total = self.requirements.len();
        let passed = self.count(Status::Passed);
        format!(
            "{total} requirements: {passed} passed on SQLite and PostgreSQL, {} without a \
             passing test ({} with no test, {} with a failed test, {} not run on every \
             database); {} tagged tests",
            total - passed,
            self.count(Status::NoTest),
            self.count(Status::Failed),
            self.count(Status::NotRun),
            self.tagged_tests
        )
    }
}

fn test_line(tagged: &TaggedTest, runs: &[TestRun; 2]) -> TestLine {
    let binary = tagged.binary();
    let outcome = |run: &TestRun| run.outcome(binary.as_deref(), &tagged.name);
    TestLine {
        test: format!("{}:{}", tagged.file.display(), tagged.line),
        name: tagged.name.clone(),
        outcomes: [outcome(&runs[0]), outcome(&runs[1])],
    }
}

fn status(tests: &[TestLine]) -> Status {
    if tests.is_empty() {
        return Status::NoTest;
    }
    let any =
        |backend: usize, outcome: Outcome| tests.iter().any(|t| t.outcomes[backend] == outcome);
    if (0..BACKENDS.len()).any(|b| any(b, Outcome::Failed)) {
        Status::Failed
    } else if (0..BACKENDS.len()).all(|b| any(b, Outcome::Passed)) {
        Status::Passed
    } else {
        Status::NotRun
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn requirement(id: &str) -> Requirement {
        Requirement {
            id: id.into(),
            title: format!("title of {id}"),
            clause: "clause".into(),
            statement: "statement".into(),
        }
    }

    fn tagged(name: &str, ids: &[&str]) -> TaggedTest {
        TaggedTest {
            file: PathBuf::from("tests/api/a.rs"),
            line: 1,
            name: name.into(),
            ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Covers: A11-4
    #[test]
    fn requirements_without_a_passing_test_come_first_worst_first() {
        let requirements: Vec<Requirement> = ["A-1", "A-2", "A-3", "A-4"].map(requirement).to_vec();
        let tags = [
            tagged("good", &["A-1", "A-3"]),
            tagged("bad", &["A-3"]),
            tagged("pg_only", &["A-4"]),
        ];
        let sqlite = TestRun::parse(
            "Running tests/api/main.rs (x)\ntest a::good ... ok\ntest a::bad ... FAILED\n\
             test a::pg_only ... ignored\n",
        );
        let postgres = TestRun::parse(
            "Running tests/api/main.rs (x)\ntest a::good ... ok\ntest a::bad ... ok\n\
             test a::pg_only ... ok\n",
        );
        let trace = Traceability::build(&requirements, &tags, &[sqlite, postgres]);
        let statuses: Vec<Status> = trace.requirements.iter().map(|t| t.status).collect();
        assert_eq!(
            statuses,
            [
                Status::Passed,
                Status::NoTest,
                Status::Failed,
                Status::NotRun
            ]
        );
        let open: Vec<&str> = trace
            .open()
            .iter()
            .map(|t| t.requirement.id.as_str())
            .collect();
        assert_eq!(open, ["A-2", "A-3", "A-4"]);
        assert!(trace.summary().starts_with(
            "4 requirements: 1 passed on SQLite and PostgreSQL, 3 without a passing test \
             (1 with no test, 1 with a failed test, 1 not run on every database); 3 tagged"
        ));
    }
}
