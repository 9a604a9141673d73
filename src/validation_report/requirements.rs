//! The requirements file (`validation/requirements.toml`): one entry per Part 11 / Annex 11
//! control the product implements and per GMP rule of the design notes, each with a stable id
//! that tests name in their `/// Covers:` line.

use std::collections::HashSet;

use figment::providers::{Format, Toml};
use figment::Figment;
use serde::Deserialize;

use super::ValidationError;

#[derive(Debug, Clone, Deserialize)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    /// The regulation clause or design note it comes from.
    pub clause: String,
    /// One sentence saying what the product does.
    pub statement: String,
}

impl Requirement {
    /// Part 11 and Annex 11 controls come first in the report, the design's GMP rules after.
    pub fn group(&self) -> &'static str {
        if self.id.starts_with("P11-") || self.id.starts_with("A11-") {
            "Computerised system controls (21 CFR Part 11, EU GMP Annex 11)"
        } else {
            "GMP rules of the design"
        }
    }
}

#[derive(Deserialize)]
struct File {
    requirement: Vec<Requirement>,
}

/// The requirements in file order; an empty field, a malformed or a repeated id is refused.
pub fn parse(text: &str) -> Result<Vec<Requirement>, ValidationError> {
    let file: File = Figment::from(Toml::string(text))
        .extract()
        .map_err(|e| ValidationError::Requirements(e.to_string()))?;
    let mut seen = HashSet::new();
    for requirement in &file.requirement {
        if !is_id(&requirement.id) {
            return Err(ValidationError::Requirements(format!(
                "`{}` is not an id (capital letters, digits, `-` and `.`)",
                requirement.id
            )));
        }
        if !seen.insert(requirement.id.as_str()) {
            return Err(ValidationError::Requirements(format!(
                "the id {} is given twice",
                requirement.id
            )));
        }
        let fields = [
            &requirement.title,
            &requirement.clause,
            &requirement.statement,
        ];
        if fields.iter().any(|f| f.trim().is_empty()) {
            return Err(ValidationError::Requirements(format!(
                "{} needs a title, a clause and a statement",
                requirement.id
            )));
        }
    }
    Ok(file.requirement)
}

/// Ids read as they are written in the regulation: `P11-10e`, `A11-7.2`, `GMP-COI-1`.
pub fn is_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !id.ends_with(['-', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "[[requirement]]\nid = \"P11-10e\"\ntitle = \"Audit trail\"\n\
        clause = \"21 CFR 11.10(e)\"\nstatement = \"Every action is recorded.\"\n";

    /// Covers: A11-4
    #[test]
    fn requirements_parse_in_file_order_and_repeats_are_refused() {
        let two = format!("{ONE}{}", ONE.replace("P11-10e", "A11-9"));
        let parsed = parse(&two).expect("parses");
        let ids: Vec<&str> = parsed.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["P11-10e", "A11-9"]);
        let repeated = format!("{ONE}{ONE}");
        assert!(
            matches!(parse(&repeated), Err(ValidationError::Requirements(m)) if m.contains("twice"))
        );
        let blank = ONE.replace("Audit trail", " ");
        assert!(parse(&blank).is_err());
        assert!(parse(&ONE.replace("P11-10e", "p11 10e")).is_err());
    }
}
