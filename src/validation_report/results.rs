//! Reads the output of `cargo test`: the `Running <binary>` lines say which test binary the
//! following `test <name> ... <outcome>` lines belong to.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Passed,
    Ignored,
    /// The test is not in the output: it was not built or not run.
    NotRun,
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "FAILED",
            Outcome::Ignored => "ignored",
            Outcome::NotRun => "not run",
        }
    }
}

/// The outcomes of one `cargo test` run, by test binary and then by the test's full path.
#[derive(Debug, Default)]
pub struct TestRun {
    pub outcomes: BTreeMap<(String, String), Outcome>,
}

impl TestRun {
    pub fn parse(log: &str) -> TestRun {
        let mut run = TestRun::default();
        let mut binary = String::new();
        for line in log.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("Running ") {
                binary = running_binary(rest);
            } else if line.starts_with("Doc-tests ") {
                binary = "doc-tests".to_owned();
            } else if let Some((name, outcome)) = result_line(line) {
                // A test reported twice (should not happen) keeps its worse outcome.
                let entry = run
                    .outcomes
                    .entry((binary.clone(), name))
                    .or_insert(outcome);
                *entry = (*entry).max(outcome);
            }
        }
        run
    }

    /// The outcome of test function `name` in `binary` (any binary when not known): the
    /// test whose path ends in `::name`, or is `name`.
    pub fn outcome(&self, binary: Option<&str>, name: &str) -> Outcome {
        self.outcomes
            .iter()
            .filter(|((b, path), _)| {
                binary.is_none_or(|want| b == want)
                    && (path == name || path.ends_with(&format!("::{name}")))
            })
            .map(|(_, outcome)| *outcome)
            .max()
            .unwrap_or(Outcome::NotRun)
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.outcomes.values().filter(|o| **o == outcome).count()
    }
}

/// `unittests src/lib.rs (target/debug/deps/cartrec-…)` → `src/lib.rs`;
/// `tests/api/main.rs (target/…)` → `tests/api/main.rs`.
fn running_binary(rest: &str) -> String {
    let rest = rest.strip_prefix("unittests ").unwrap_or(rest);
    rest.split(" (").next().unwrap_or(rest).trim().to_owned()
}

/// `test a::b ... ok`, `test a::b - should panic ... ok`, `test a::b ... ignored, reason`.
fn result_line(line: &str) -> Option<(String, Outcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, result) = rest.split_once(" ... ")?;
    let name = name.split(" - ").next().unwrap_or(name).trim();
    let outcome = match result.trim() {
        "ok" => Outcome::Passed,
        "FAILED" => Outcome::Failed,
        r if r.starts_with("ignored") => Outcome::Ignored,
        _ => return None,
    };
    Some((name.to_owned(), outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
   Compiling cartrec v0.1.0 (/work/cartrec)
    Finished `test` profile [optimized + debuginfo] target(s) in 1m 02s
     Running unittests src/lib.rs (target/debug/deps/cartrec-0a1b2c)

running 3 tests
test domain::coi::tests::iccbba_examples ... ok
test ledger::merkle::tests::slow ... ignored, takes a minute
test auth::password::tests::panics - should panic ... ok

test result: ok. 2 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s

     Running tests/api/main.rs (target/debug/deps/api-3d4e5f)

running 3 tests
test auth::logout_ends_the_session ... ok
test ledger_integrity::child_appender ... ignored
test auth::iccbba_examples ... FAILED
test lockout::a_long_one has been running for over 60 seconds
test audit::interrupted ...
failures:
   Doc-tests cartrec
test src/lib.rs - x (line 3) ... ok
";

    /// Covers: A11-4
    #[test]
    fn outcomes_are_read_per_binary_with_their_full_path() {
        let run = TestRun::parse(LOG);
        let lib = Some("src/lib.rs");
        let api = Some("tests/api/main.rs");
        assert_eq!(run.outcome(lib, "iccbba_examples"), Outcome::Passed);
        assert_eq!(run.outcome(api, "iccbba_examples"), Outcome::Failed);
        assert_eq!(run.outcome(None, "iccbba_examples"), Outcome::Failed);
        assert_eq!(run.outcome(lib, "slow"), Outcome::Ignored);
        assert_eq!(run.outcome(lib, "panics"), Outcome::Passed);
        assert_eq!(run.outcome(api, "logout_ends_the_session"), Outcome::Passed);
        assert_eq!(run.outcome(api, "child_appender"), Outcome::Ignored);
        // A partial name is not a match, and lines that are not results are not read.
        assert_eq!(run.outcome(api, "the_session"), Outcome::NotRun);
        assert_eq!(run.outcome(api, "a_long_one"), Outcome::NotRun);
        assert_eq!(run.outcome(api, "interrupted"), Outcome::NotRun);
        assert_eq!(
            (run.count(Outcome::Passed), run.count(Outcome::Failed)),
            (4, 1)
        );
        assert_eq!(run.count(Outcome::Ignored), 2);
    }

    /// Covers: A11-4
    #[test]
    fn a_failure_anywhere_outweighs_a_pass() {
        let log = "Running tests/api/main.rs (x)\ntest a::t ... ok\ntest a::t ... FAILED\n";
        assert_eq!(TestRun::parse(log).outcome(None, "t"), Outcome::Failed);
        assert_eq!(TestRun::parse("").outcome(None, "t"), Outcome::NotRun);
    }
}
