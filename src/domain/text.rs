//! Text that people read next to a signature: names, reasons, comments. What is stored is what
//! is shown, so invisible and direction-changing characters are refused (a full name of
//! `"\u{202e}evil"` prints backwards) and text is kept in Unicode NFC, so that the same name
//! typed on two keyboards is the same string.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::DomainError;

/// Trims, normalizes to NFC and checks the length in characters; refuses control (Cc) and
/// format (Cf) characters, newlines included: every caller's text is printed on one line.
pub fn printable_line(
    raw: &str,
    code: &'static str,
    what: &str,
    lengths: std::ops::RangeInclusive<usize>,
) -> Result<String, DomainError> {
    let text: String = raw.trim().nfc().collect();
    if let Some(bad) = text.chars().find(|c| is_invisible(*c)) {
        return Err(DomainError::new(
            code,
            format!(
                "{what} contains the invisible or control character U+{:04X}; type it again without it",
                u32::from(bad)
            ),
        ));
    }
    let length = text.chars().count();
    if !lengths.contains(&length) {
        return Err(DomainError::new(
            code,
            format!(
                "{what} must have {} to {} characters",
                lengths.start(),
                lengths.end()
            ),
        ));
    }
    Ok(text)
}

fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> Result<String, DomainError> {
        printable_line(raw, "invalid_text", "the text", 1..=20)
    }

    /// Covers: A11-5
    #[test]
    fn direction_overrides_and_other_format_characters_are_refused() {
        for bad in [
            "\u{202e}evil",    // right-to-left override
            "ann\u{200b}a",    // zero-width space
            "ann\u{200d}a",    // zero-width joiner
            "\u{2066}anna",    // left-to-right isolate
            "anna\u{feff}",    // byte order mark
            "anna\u{ad}rossi", // soft hyphen
            "anna\nrossi",     // a second printed line
            "anna\u{7}",       // bell
            "anna\u{85}rossi", // next line (C1 control)
        ] {
            let refused = check(bad).expect_err(bad);
            assert_eq!(refused.code, "invalid_text");
            assert!(refused.message.contains("U+"), "{}", refused.message);
        }
    }

    /// Covers: A11-5
    #[test]
    fn text_is_trimmed_and_normalized_to_nfc() {
        // "e" + combining acute accent becomes the one character "é".
        assert_eq!(check("  Rene\u{301} ").expect("valid"), "Ren\u{e9}");
        assert_eq!(check("Jürgen Müller").expect("valid"), "Jürgen Müller");
        assert_eq!(check("Łukasz Żółć").expect("valid"), "Łukasz Żółć");
    }

    /// Covers: A11-5
    #[test]
    fn length_counts_characters_after_normalization() {
        assert!(check("").is_err());
        assert!(check("   ").is_err());
        assert!(check(&"é".repeat(20)).is_ok());
        assert!(check(&"e\u{301}".repeat(20)).is_ok());
        assert!(check(&"a".repeat(21)).is_err());
    }
}
