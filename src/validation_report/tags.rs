//! Reads the `/// Covers: ID, ID` lines the tests carry. A tag belongs to the test function it
//! stands above: only doc comments, comments and attributes may come between, and one of those
//! attributes must be a test attribute (`#[test]`, `#[tokio::test]`, ...). Anything else is an
//! error naming the file and line, so that a tag never silently covers nothing.

use std::path::{Path, PathBuf};

use super::requirements::is_id;
use super::ValidationError;

const MARKER: &str = "/// Covers:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedTest {
    /// The source file, as found under the directory given.
    pub file: PathBuf,
    /// The line of the `/// Covers:` tag (1-based).
    pub line: usize,
    /// The test function's name.
    pub name: String,
    pub ids: Vec<String>,
}

impl TaggedTest {
    /// The test binary whose `cargo test` output names this test: `src/lib.rs` for unit
    /// tests, `tests/<dir>/main.rs` or `tests/<file>.rs` for integration tests.
    pub fn binary(&self) -> Option<String> {
        let parts: Vec<String> = self
            .file
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let start = parts.iter().position(|p| p == "src" || p == "tests")?;
        match (parts[start].as_str(), parts.len() - start) {
            ("src", _) => Some("src/lib.rs".to_owned()),
            ("tests", 2) => Some(format!("tests/{}", parts[start + 1])),
            ("tests", _) => Some(format!("tests/{}/main.rs", parts[start + 1])),
            _ => None,
        }
    }
}

/// Every tagged test in the `.rs` files under `roots`, in path order.
pub fn scan(roots: &[PathBuf]) -> Result<Vec<TaggedTest>, ValidationError> {
    let mut files = Vec::new();
    for root in roots {
        collect(root, &mut files)?;
    }
    files.sort();
    let mut tagged = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| ValidationError::Read {
            path: file.clone(),
            source,
        })?;
        tagged.extend(parse(&file, &text)?);
    }
    Ok(tagged)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), ValidationError> {
    let read_error = |source| ValidationError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// A tag waiting for the function it stands above.
struct Pending {
    line: usize,
    ids: Vec<String>,
    is_test: bool,
}

/// The tagged tests of one source file.
pub fn parse(file: &Path, text: &str) -> Result<Vec<TaggedTest>, ValidationError> {
    let error = |line: usize, message: String| ValidationError::Tag {
        file: file.to_owned(),
        line,
        message,
    };
    let mut tagged = Vec::new();
    let mut pending: Option<Pending> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if let Some(list) = line.strip_prefix(MARKER) {
            let ids = ids(list).map_err(|m| error(number, m))?;
            match &mut pending {
                Some(p) => p.ids.extend(ids),
                None => {
                    pending = Some(Pending {
                        line: number,
                        ids,
                        is_test: false,
                    })
                }
            }
            continue;
        }
        let Some(p) = &mut pending else { continue };
        if line.starts_with("//") || line.is_empty() {
            continue;
        }
        if line.starts_with("#[") {
            p.is_test |= is_test_attribute(line);
            continue;
        }
        let name = function_name(line).ok_or_else(|| {
            error(
                p.line,
                "a Covers line must stand above a test function".into(),
            )
        })?;
        if !p.is_test {
            return Err(error(
                p.line,
                format!("`{name}` has a Covers line but no test attribute"),
            ));
        }
        tagged.push(TaggedTest {
            file: file.to_owned(),
            line: p.line,
            name,
            ids: std::mem::take(&mut p.ids),
        });
        pending = None;
    }
    match pending {
        Some(p) => Err(error(p.line, "a Covers line with no test after it".into())),
        None => Ok(tagged),
    }
}

fn ids(list: &str) -> Result<Vec<String>, String> {
    let ids: Vec<String> = list
        .split(',')
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    if ids.is_empty() {
        return Err("a Covers line names no requirement".into());
    }
    match ids.iter().find(|id| !is_id(id)) {
        Some(bad) => Err(format!("`{bad}` is not a requirement id")),
        None => Ok(ids),
    }
}

/// `#[test]`, `#[tokio::test]`, `#[tokio::test(flavor = ...)]`, `#[actix_web::test]`; not
/// `#[cfg(test)]`.
fn is_test_attribute(line: &str) -> bool {
    let inner = line.trim_start_matches("#[");
    let path = inner.split(['(', ']']).next().unwrap_or_default().trim();
    path == "test" || path.ends_with("::test")
}

/// The name in `fn name(`, `async fn name(`, `pub async fn name(`.
fn function_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    words.find(|w| *w == "fn")?;
    let name: String = words
        .next()?
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Vec<TaggedTest>, ValidationError> {
        parse(Path::new("tests/api/x.rs"), text)
    }

    /// Covers: A11-4
    #[test]
    fn a_tag_covers_the_test_it_stands_above_through_comments_and_attributes() {
        // Each fixture line is a string of its own, so that no line of this file is a tag.
        let text = concat!(
            "use x;\n\n",
            "/// Covers: P11-10e, GMP-COI-1\n",
            "/// Covers: A11-7.2\n",
            "/// Why this test exists.\n",
            "#[tokio::test(flavor = \"multi_thread\")]\n",
            "#[ignore = \"slow\"]\n",
            "async fn a_test() {\n}\n\n",
            "#[test]\nfn untagged() {}\n",
            "/// Covers: A11-9\n",
            "#[test]\npub fn unit_test() {}\n",
        );
        let tagged = parsed(text).expect("parses");
        assert_eq!(tagged.len(), 2);
        assert_eq!(tagged[0].name, "a_test");
        assert_eq!(tagged[0].line, 3);
        assert_eq!(tagged[0].ids, ["P11-10e", "GMP-COI-1", "A11-7.2"]);
        assert_eq!(tagged[1].name, "unit_test");
        assert_eq!(tagged[1].ids, ["A11-9"]);
    }

    /// Covers: A11-4
    #[test]
    fn misplaced_or_malformed_tags_are_errors_naming_the_line() {
        let cases = [
            (
                "/// Covers: A11-9\nfn helper() {}\n",
                1,
                "no test attribute",
            ),
            (
                "x\n/// Covers: A11-9\n#[cfg(test)]\nmod tests {}\n",
                2,
                "above a test",
            ),
            (
                "/// Covers:\n#[test]\nfn t() {}\n",
                1,
                "names no requirement",
            ),
            (
                "/// Covers: a11 9\n#[test]\nfn t() {}\n",
                1,
                "not a requirement id",
            ),
            (
                "#[test]\nfn t() {}\n/// Covers: A11-9\n",
                3,
                "no test after it",
            ),
        ];
        for (text, line, message) in cases {
            match parsed(text) {
                Err(ValidationError::Tag {
                    line: l,
                    message: m,
                    ..
                }) => {
                    assert_eq!(l, line, "{text}");
                    assert!(m.contains(message), "{m}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    /// Covers: A11-4
    #[test]
    fn the_binary_follows_from_where_the_test_lives() {
        let binary = |file: &str| {
            TaggedTest {
                file: PathBuf::from(file),
                line: 1,
                name: "t".into(),
                ids: vec![],
            }
            .binary()
        };
        assert_eq!(binary("src/ledger/entry.rs").as_deref(), Some("src/lib.rs"));
        assert_eq!(
            binary("./tests/api/auth.rs").as_deref(),
            Some("tests/api/main.rs")
        );
        assert_eq!(
            binary("/tmp/x/tests/smoke.rs").as_deref(),
            Some("tests/smoke.rs")
        );
        assert_eq!(binary("elsewhere/a.rs"), None);
    }
}
