//! The chain of identity identifier: the ISBT 128 Chain of Identity identifier (ICCBBA ST-001,
//! Data Structure 040). It ties every bag, label and record of an autologous product to the one
//! patient it came from, so a mistyped or misread identifier must be refused, never guessed:
//! the printed check character (ISO/IEC 7064 mod 37-2) catches every single-character error and
//! every transposition of two adjacent characters.
//!
//! Layout (15 characters): `CH` + facility identification number (5) + nominal year (2) +
//! sequence (6). The check character is computed over all 15 characters and is not part of the
//! identifier: it is printed next to it and may be entered with it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

const PREFIX: &str = "CH";
const LENGTH: usize = 15;
/// ISO/IEC 7064 mod 37-2 alphabet, in value order: `0`–`9` are 0–9, `A`–`Z` 10–35, `*` 36.
const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

/// The ISO/IEC 7064 mod 37-2 check character of `data`, which must be digits and uppercase
/// letters only (ST-001 §7.5 and Appendix A).
pub fn mod37_2_check_character(data: &str) -> Option<char> {
    let mut sum: usize = 0;
    for byte in data.bytes() {
        let value = ALPHABET[..36].iter().position(|&c| c == byte)?;
        sum = ((sum + value) * 2) % 37;
    }
    Some(char::from(ALPHABET[(38 - sum) % 37]))
}

/// An ICCBBA facility identification number (FIN): 5 characters, the first `A`–`N`, `P`–`Z` or
/// `1`–`9` (never the easily confused `O` or `0`), then 4 of `A`–`Z`, `0`–`9`. ICCBBA assigns it
/// to the site; cartrec reads it from configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FacilityId(String);

impl FacilityId {
    /// Accepts lowercase and surrounding spaces, which are normalized away.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let fin = raw.trim().to_ascii_uppercase();
        fin_problem(&fin).map_or(Ok(FacilityId(fin)), |problem| {
            Err(DomainError::new(
                "invalid_facility_id",
                format!(
                    "'{}' is not a facility identification number: {problem}",
                    raw.trim()
                ),
            ))
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FacilityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn fin_problem(fin: &str) -> Option<&'static str> {
    let bytes = fin.as_bytes();
    if bytes.len() != 5 {
        return Some("it must have 5 characters");
    }
    if matches!(bytes[0], b'O' | b'0') || !is_alphanumeric(bytes[0]) {
        return Some("its first character must be A to N, P to Z, or 1 to 9");
    }
    if !bytes[1..].iter().all(|&b| is_alphanumeric(b)) {
        return Some("it may contain only letters A to Z and digits");
    }
    None
}

fn is_alphanumeric(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit()
}

/// A chain of identity identifier, e.g. `CHG123426000042` (check character `E`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Coi(String);

impl Coi {
    /// Reads an identifier as typed or scanned: the 15 characters, optionally followed by the
    /// check character, with or without one space before it (the eye-readable form of
    /// [`Coi::printed`]). Lowercase and surrounding spaces are normalized; anything else is
    /// refused. A check character that does not match is refused with `coi_check_character`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let text = raw.trim().to_ascii_uppercase();
        if !text.is_ascii() {
            return Err(invalid(
                raw,
                "it may contain only letters A to Z and digits",
            ));
        }
        let (identifier, check) = match text.len() {
            LENGTH => (text.as_str(), None),
            16 => (&text[..LENGTH], Some(&text[LENGTH..])),
            17 if text.as_bytes()[LENGTH] == b' ' => (&text[..LENGTH], Some(&text[LENGTH + 1..])),
            _ => {
                return Err(invalid(
                    raw,
                    "it must have 15 characters, optionally followed by its check character",
                ))
            }
        };
        if let Some(problem) = identifier_problem(identifier) {
            return Err(invalid(raw, problem));
        }
        let coi = Coi(identifier.to_owned());
        if let Some(check) = check {
            let expected = coi.check_character();
            if check.chars().ne([expected]) {
                return Err(DomainError::new(
                    "coi_check_character",
                    format!(
                        "the check character of '{}' is wrong: read the identifier again from \
                         the label",
                        raw.trim()
                    ),
                ));
            }
        }
        Ok(coi)
    }

    /// The identifier for the `sequence`-th product of `facility` in `year` (e.g. 2026).
    pub fn assign(facility: &FacilityId, year: i32, sequence: u32) -> Result<Self, DomainError> {
        if !(2000..=2099).contains(&year) {
            return Err(DomainError::new(
                "invalid_coi_year",
                format!(
                    "the year of a chain of identity identifier must be 2000 to 2099, not {year}"
                ),
            ));
        }
        if sequence >= 1_000_000 {
            return Err(DomainError::new(
                "invalid_coi_sequence",
                format!(
                    "the sequence of a chain of identity identifier has 6 digits: {sequence} is \
                     too large"
                ),
            ));
        }
        Ok(Coi(format!(
            "{PREFIX}{facility}{:02}{sequence:06}",
            year % 100
        )))
    }

    /// The 15 characters, without the check character.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn facility(&self) -> &str {
        &self.0[2..7]
    }

    /// The two digits of the nominal year.
    pub fn year(&self) -> &str {
        &self.0[7..9]
    }

    pub fn sequence(&self) -> &str {
        &self.0[9..]
    }

    pub fn check_character(&self) -> char {
        // Only digits and uppercase letters get past parse and assign.
        mod37_2_check_character(&self.0).unwrap_or('?')
    }

    /// The eye-readable form: the 15 characters, a space, the check character, e.g.
    /// `CHG123426000042 E`. ISBT 128 labels print the check character apart from the data (in a
    /// box) because it is not part of the identifier; in plain text a space keeps it apart.
    pub fn printed(&self) -> String {
        format!("{} {}", self.0, self.check_character())
    }
}

fn invalid(raw: &str, problem: &str) -> DomainError {
    let shown: String = raw.trim().chars().take(40).collect();
    DomainError::new(
        "invalid_coi",
        format!("'{shown}' is not a chain of identity identifier: {problem}"),
    )
}

fn identifier_problem(identifier: &str) -> Option<&'static str> {
    let bytes = identifier.as_bytes();
    if !bytes.starts_with(PREFIX.as_bytes()) {
        return Some("it must start with CH");
    }
    let fin = &bytes[2..7];
    if !fin.iter().all(|&b| is_alphanumeric(b)) {
        return Some(
            "the facility identification number (characters 3 to 7) may contain only letters \
             A to Z and digits",
        );
    }
    if matches!(fin[0], b'O' | b'0') {
        return Some(
            "the facility identification number (characters 3 to 7) must not start with O or 0",
        );
    }
    if !bytes[7..9].iter().all(u8::is_ascii_digit) {
        return Some("the year (characters 8 and 9) must be two digits");
    }
    if !bytes[9..].iter().all(|&b| is_alphanumeric(b)) {
        return Some(
            "the sequence (characters 10 to 15) may contain only letters A to Z and digits",
        );
    }
    None
}

impl fmt::Display for Coi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Coi {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, DomainError> {
        Coi::parse(raw)
    }
}

impl Serialize for Coi {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Coi {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Coi::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Covers: GMP-COI-1
    #[test]
    fn iccbba_examples_give_their_published_check_characters() {
        assert_eq!(mod37_2_check_character("G123417654321"), Some('A'));
        assert_eq!(mod37_2_check_character("A999818123456"), Some('N'));
        assert_eq!(mod37_2_check_character("g123417654321"), None);
    }

    /// Covers: GMP-COI-1
    #[test]
    fn identifiers_are_accepted_or_refused() {
        use Outcome::*;
        enum Outcome {
            Valid(&'static str),
            Invalid,
            WrongCheck,
        }
        let table = [
            ("CHG123426000042", Valid("CHG123426000042")),
            ("CHG123426000042E", Valid("CHG123426000042")),
            ("CHG123426000042 E", Valid("CHG123426000042")),
            ("  chg123426000042e \n", Valid("CHG123426000042")),
            ("CHG123426000388*", Valid("CHG123426000388")),
            ("CH1A2B326ZZ0001", Valid("CH1A2B326ZZ0001")),
            ("CH1A2B326ZZ00019", Valid("CH1A2B326ZZ0001")),
            ("CHA999818123456E", Valid("CHA999818123456")),
            ("CHG123426000042F", WrongCheck),
            ("CHG123426000042 A", WrongCheck),
            ("CHG123426000024E", WrongCheck), // two digits transposed
            ("XXG123426000042", Invalid),     // bad prefix
            ("DNG123426000042", Invalid),
            ("CHO123426000042", Invalid), // FIN starting with O
            ("CH0123426000042", Invalid), // FIN starting with 0
            ("CHG12-426000042", Invalid),
            ("CHG12342600004", Invalid),    // 14 characters
            ("CHG1234260000421E", Invalid), // 17 characters
            ("CHG1234A6000042", Invalid),   // year not two digits
            ("CHG12342600004-", Invalid),
            ("CHG1234 26000042", Invalid),
            ("CHG123426000042  E", Invalid),
            ("CHG123426000042-E", Invalid),
            ("CHG12342600004é", Invalid),
            ("", Invalid),
        ];
        for (raw, outcome) in table {
            let result = Coi::parse(raw);
            match outcome {
                Valid(expected) => assert_eq!(result.expect(raw).as_str(), expected),
                Invalid => {
                    let refused = result.expect_err(raw);
                    assert_eq!(refused.code, "invalid_coi", "{raw}");
                    assert!(
                        refused.message.contains("is not a chain of identity"),
                        "{raw}"
                    );
                }
                WrongCheck => assert_eq!(result.expect_err(raw).code, "coi_check_character"),
            }
        }
    }

    /// Covers: GMP-COI-1
    #[test]
    fn refusals_say_what_is_wrong() {
        let message = |raw| Coi::parse(raw).expect_err(raw).message;
        assert!(message("XXG123426000042").contains("start with CH"));
        assert!(message("CHO123426000042").contains("must not start with O or 0"));
        assert!(message("CHG1234A6000042").contains("year"));
        assert!(message("CHG12342600004").contains("15 characters"));
    }

    /// Covers: GMP-COI-1
    #[test]
    fn assigned_identifiers_pad_the_sequence_and_print_their_check_character() {
        let fin = FacilityId::parse("G1234").expect("valid FIN");
        let coi = Coi::assign(&fin, 2026, 42).expect("valid");
        assert_eq!(coi.as_str(), "CHG123426000042");
        assert_eq!(
            (coi.facility(), coi.year(), coi.sequence()),
            ("G1234", "26", "000042")
        );
        assert_eq!(coi.check_character(), 'E');
        assert_eq!(coi.printed(), "CHG123426000042 E");
        assert_eq!(Coi::parse(&coi.printed()).expect("round trip"), coi);
        assert_eq!(
            Coi::assign(&fin, 2000, 999_999).expect("valid").as_str(),
            "CHG123400999999"
        );
    }

    /// Covers: GMP-COI-1
    #[test]
    fn assignment_refuses_a_sequence_or_year_that_does_not_fit() {
        let fin = FacilityId::parse("G1234").expect("valid FIN");
        assert_eq!(
            Coi::assign(&fin, 2026, 1_000_000)
                .expect_err("7 digits")
                .code,
            "invalid_coi_sequence"
        );
        assert_eq!(
            Coi::assign(&fin, 1999, 1).expect_err("year").code,
            "invalid_coi_year"
        );
        assert_eq!(
            Coi::assign(&fin, 2100, 1).expect_err("year").code,
            "invalid_coi_year"
        );
    }

    /// Covers: GMP-COI-1
    #[test]
    fn facility_ids_follow_iccbba_rules() {
        assert_eq!(
            FacilityId::parse(" w0001 ").expect("valid").as_str(),
            "W0001"
        );
        assert!(FacilityId::parse("1ABCD").is_ok());
        for bad in ["O1234", "01234", "G123", "G12345", "G12-4", "", "G12é"] {
            assert_eq!(
                FacilityId::parse(bad).expect_err(bad).code,
                "invalid_facility_id"
            );
        }
    }

    /// Covers: GMP-COI-1
    #[test]
    fn serializes_as_the_fifteen_characters() {
        let coi = Coi::parse("CHG123426000042E").expect("valid");
        assert_eq!(
            serde_json::to_string(&coi).expect("json"),
            r#""CHG123426000042""#
        );
        let back: Coi = serde_json::from_str(r#""chg123426000042""#).expect("parses");
        assert_eq!(back, coi);
        assert!(serde_json::from_str::<Coi>(r#""CHG123426000042F""#).is_err());
    }
}
