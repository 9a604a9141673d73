//! Accounts: names, roles, the events of an account's stream and the state they fold into.

pub mod events;
pub mod state;
#[cfg(test)]
mod state_tests;

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::text::printable_line;
use super::DomainError;

/// Names the server itself uses as actors, which no person may take.
const RESERVED_USERNAMES: [&str; 3] = ["system", "anonymous", "root"];

/// A login name: 3 to 64 characters, lowercase letters, digits, `.`, `_`, `-`, starting with a
/// letter. Names are never reused, so they stay attributable for the life of the records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let valid = (3..=64).contains(&raw.len())
            && raw.starts_with(|c: char| c.is_ascii_lowercase())
            && raw.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !valid {
            return Err(DomainError::new(
                "invalid_username",
                "a user name has 3 to 64 characters: lowercase letters, digits, '.', '_' or '-', \
                 starting with a letter",
            ));
        }
        if RESERVED_USERNAMES.contains(&raw) {
            return Err(DomainError::new(
                "reserved_username",
                format!("the user name '{raw}' is reserved"),
            ));
        }
        Ok(Username(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The full printed name that every signature of this person shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FullName(String);

impl FullName {
    /// 2 to 200 printable characters in NFC, with no invisible or direction-changing ones: it
    /// is printed on every signature of this person.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        printable_line(raw, "invalid_full_name", "a full name", 2..=200).map(FullName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored account row that no longer parses: a fault of the server, never of the client.
#[derive(Debug, thiserror::Error)]
#[error("stored account `{username}` is invalid: {reason}")]
pub struct InvalidAccountRow {
    pub username: String,
    pub reason: DomainError,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    QcAnalyst,
    Qa,
    Qp,
    /// A treating physician or ward nurse: receives the product, checks identity at the
    /// bedside, records the infusion and follow-up.
    Clinician,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Operator,
        Role::QcAnalyst,
        Role::Qa,
        Role::Qp,
        Role::Clinician,
        Role::Auditor,
        Role::Admin,
    ];

    /// Roles that record or sign GMP data.
    pub fn records_gmp_data(self) -> bool {
        matches!(
            self,
            Role::Operator | Role::QcAnalyst | Role::Qa | Role::Qp | Role::Clinician
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::QcAnalyst => "qc_analyst",
            Role::Qa => "qa",
            Role::Qp => "qp",
            Role::Clinician => "clinician",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, DomainError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| {
                DomainError::new(
                    "invalid_role",
                    format!(
                        "unknown role '{raw}'; roles are operator, qc_analyst, qa, qp, clinician, auditor, admin"
                    ),
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of roles that one account may hold together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Roles(BTreeSet<Role>);

impl Roles {
    /// Roles asked for: at least one, and a compatible set (see [`Roles::held`]).
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<Self, DomainError> {
        let roles = Roles::held(roles)?;
        if roles.0.is_empty() {
            return Err(DomainError::new(
                "no_roles",
                "an account needs at least one role",
            ));
        }
        Ok(roles)
    }

    /// Roles in effect, which may be none (until approved). Refuses an administrator or
    /// auditor who also records or signs GMP data: segregation of duties that no per-record
    /// check could restore.
    pub fn held(roles: impl IntoIterator<Item = Role>) -> Result<Self, DomainError> {
        let set: BTreeSet<Role> = roles.into_iter().collect();
        let overseer = set
            .iter()
            .find(|r| matches!(r, Role::Admin | Role::Auditor));
        let recorder = set.iter().find(|r| r.records_gmp_data());
        if let (Some(overseer), Some(recorder)) = (overseer, recorder) {
            return Err(DomainError::new(
                "incompatible_roles",
                format!(
                    "one account cannot be both {overseer} and {recorder}: \
                     an {overseer} never records or signs GMP data"
                ),
            ));
        }
        Ok(Roles(set))
    }

    pub fn parse_names<S: AsRef<str>>(names: &[S]) -> Result<Self, DomainError> {
        Roles::new(
            names
                .iter()
                .map(|name| name.as_ref().parse())
                .collect::<Result<Vec<Role>, _>>()?,
        )
    }

    /// The stored form: role names joined by commas, in a fixed order.
    pub fn to_column(&self) -> String {
        self.iter().map(Role::as_str).collect::<Vec<_>>().join(",")
    }

    /// The stored form back; empty for no roles.
    pub fn from_column(column: &str) -> Result<Self, DomainError> {
        Roles::held(
            column
                .split(',')
                .filter(|name| !name.is_empty())
                .map(str::parse)
                .collect::<Result<Vec<Role>, _>>()?,
        )
    }

    pub fn none() -> Self {
        Roles(BTreeSet::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_set(&self) -> &BTreeSet<Role> {
        &self.0
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(Role::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: P11-100a-1
    #[test]
    fn usernames_are_lowercase_and_not_reserved() {
        assert!(Username::parse("anna.rossi").is_ok());
        for bad in ["", "ab", "Anna", "1anna", "anna rossi", "system", "anna@x"] {
            assert!(Username::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_round_trip_through_their_column() {
        let roles = Roles::parse_names(&["qp", "operator"]).expect("valid roles");
        assert_eq!(roles.to_column(), "operator,qp");
        assert_eq!(Roles::from_column("operator,qp").expect("valid"), roles);
        assert!(Roles::parse_names::<&str>(&[]).is_err());
        assert!(Roles::parse_names(&["admin", "qp"]).is_err());
        assert!(Roles::parse_names(&["auditor", "operator"]).is_err());
        assert!(Roles::parse_names(&["admin", "auditor"]).is_ok());
        assert!(Roles::parse_names(&["qa", "qp"]).is_ok());
        assert!(Roles::parse_names(&["chief"]).is_err());
        assert!(Roles::from_column("").expect("no roles").is_empty());
        assert!(Roles::from_column("admin,qp").is_err());
    }

    /// Covers: A11-5
    #[test]
    fn full_names_refuse_invisible_characters_and_are_nfc() {
        assert_eq!(
            FullName::parse("\u{202e}evil").expect_err("refused").code,
            "invalid_full_name"
        );
        assert_eq!(
            FullName::parse(" Rene\u{301} Dupont ")
                .expect("valid")
                .as_str(),
            "Ren\u{e9} Dupont"
        );
    }
}
