//! Decimal numbers as people enter them. A batch record must show `1.25e8` where `1.25e8` was
//! typed, and an acceptance check must not say that `70` is below `70.0` because of binary
//! floating point, so the text is kept exactly and compared through an arbitrary-precision
//! decimal (the `bigdecimal` crate), never through `f64`.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::BigDecimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::DomainError;

/// Longer text than this is not a measurement somebody typed.
const MAX_CHARS: usize = 40;
/// Exponents of up to three digits cover every physical quantity in a batch record and keep
/// comparisons cheap (`1e999999999` would make the comparison build a huge integer).
const MAX_EXPONENT_DIGITS: usize = 3;

/// A decimal number kept as the exact text entered, e.g. `"1.25e8"`, `"70"`, `"0.5"`, `"-3"`.
///
/// Accepted text: an optional `-`, digits, optionally `.` and more digits, optionally `e` or `E`
/// with an optional sign and 1 to 3 digits; at most 40 characters. Refused: empty text, spaces,
/// a leading `+`, `.5` or `5.` (write `0.5`, `5`), `1,5`, hexadecimal, `NaN`, `inf`.
///
/// Equality and order are on the value: `"1.25e8" == "125000000"` and `"70" == "70.0"`, while
/// [`Decimal::as_str`] still gives the text as entered.
#[derive(Clone)]
pub struct Decimal {
    text: String,
    value: BigDecimal,
}

impl Decimal {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if let Err(problem) = check_syntax(raw) {
            return Err(DomainError::new(
                "invalid_decimal",
                format!("'{}' is not a decimal number: {problem}", shorten(raw)),
            ));
        }
        // The syntax check above only lets through text that bigdecimal reads exactly.
        let value = BigDecimal::from_str(raw).map_err(|error| {
            DomainError::new(
                "invalid_decimal",
                format!("'{raw}' is not a decimal number: {error}"),
            )
        })?;
        Ok(Decimal {
            text: raw.to_owned(),
            value,
        })
    }

    /// The text as entered.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// A decimal for a whole number, e.g. an integer field's acceptance limit.
    pub fn from_integer(value: i64) -> Self {
        Decimal {
            text: value.to_string(),
            value: BigDecimal::from(value),
        }
    }
}

/// Explains what is wrong with the text, or accepts it.
fn check_syntax(raw: &str) -> Result<(), &'static str> {
    if raw.is_empty() {
        return Err("it is empty");
    }
    if raw.chars().count() > MAX_CHARS {
        return Err("it has more than 40 characters");
    }
    if raw.chars().any(char::is_whitespace) {
        return Err("it contains a space");
    }
    if raw.starts_with('+') {
        return Err("write it without a leading '+'");
    }
    let unsigned = raw.strip_prefix('-').unwrap_or(raw);
    let (significand, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match significand.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (significand, None),
    };
    if whole.is_empty() || fraction.is_some_and(str::is_empty) {
        return Err("write digits on both sides of the decimal point, e.g. 0.5");
    }
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !fraction.is_none_or(all_digits) {
        return Err(
            "use only digits, one '.' as the decimal point and an optional exponent \
                    such as e8 (no ',' and no hexadecimal)",
        );
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        if digits.is_empty() || digits.len() > MAX_EXPONENT_DIGITS || !all_digits(digits) {
            return Err("the exponent after 'e' must be 1 to 3 digits, e.g. 1.25e8");
        }
    }
    Ok(())
}

/// Keeps an error message readable when someone pastes a page of text.
fn shorten(raw: &str) -> String {
    if raw.chars().count() <= MAX_CHARS {
        return raw.to_owned();
    }
    let head: String = raw.chars().take(MAX_CHARS).collect();
    format!("{head}…")
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl Hash for Decimal {
    // bigdecimal hashes the normalized value, consistent with the equality above.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({:?})", self.text)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Decimal {
    type Err = DomainError;

    fn from_str(raw: &str) -> Result<Self, DomainError> {
        Decimal::parse(raw)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Decimal::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(raw: &str) -> Decimal {
        Decimal::parse(raw).expect(raw)
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn text_is_kept_as_entered() {
        for raw in [
            "1.25e8", "1.25E8", "70", "70.0", "0.5", "-3", "007", "1e-3", "2.5e+2",
        ] {
            assert_eq!(d(raw).as_str(), raw);
            assert_eq!(d(raw).to_string(), raw);
        }
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn comparison_is_exact_on_the_value() {
        assert_eq!(d("1.25e8").cmp(&d("125000000")), Ordering::Equal);
        assert_eq!(d("1.25e8"), d("125000000"));
        assert!(d("1.25e8") > d("1.2e8"));
        assert_eq!(d("70"), d("70.0"));
        assert_eq!(d("70").cmp(&d("70.000")), Ordering::Equal);
        assert!(d("69.999999999999999999999") < d("70"));
        assert!(d("-3") < d("0"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("1e-3") < d("0.0011"));
        assert!(d("1e999") > d("9e998"));
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn values_that_floats_get_wrong_are_exact() {
        // 0.1 + 0.2 != 0.3 in binary floating point; here each text is its own exact value.
        assert!(d("0.1") < d("0.10000000000000001"));
        assert_eq!(d("0.3"), d("0.30"));
        assert_ne!(d("9007199254740993"), d("9007199254740992"));
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn equal_values_hash_alike() {
        use std::collections::HashSet;
        let set: HashSet<Decimal> = [d("70"), d("70.0"), d("7e1")].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    /// Covers: A11-5, GMP-TPL-6
    #[test]
    fn malformed_text_is_refused_with_a_reason() {
        let too_long = "1".repeat(41);
        for raw in [
            "", " 1", "1 ", "1 000", "NaN", "nan", "inf", "-inf", "Infinity", "1,5", "0x1A", "+1",
            ".5", "5.", "-", "1e", "1e1000", "1e+", "1.2.3", "1_000", "--1", "١٢", "e8", "1e8.5",
            &too_long,
        ] {
            let refused = Decimal::parse(raw).expect_err(raw);
            assert_eq!(refused.code, "invalid_decimal", "{raw}");
            assert!(refused.message.contains("is not a decimal number"), "{raw}");
        }
        assert!(Decimal::parse(&"1".repeat(40)).is_ok());
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn serializes_as_the_text_entered() {
        let json = serde_json::to_string(&d("1.25e8")).expect("serializes");
        assert_eq!(json, r#""1.25e8""#);
        let back: Decimal = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back.as_str(), "1.25e8");
        assert!(serde_json::from_str::<Decimal>("1.25").is_err());
        assert!(serde_json::from_str::<Decimal>(r#""1,25""#).is_err());
    }

    /// Covers: GMP-TPL-6
    #[test]
    fn integers_become_decimals() {
        assert_eq!(Decimal::from_integer(-12).as_str(), "-12");
        assert_eq!(Decimal::from_integer(12), d("1.2e1"));
    }
}
