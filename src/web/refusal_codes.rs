//! Every refusal code the service answers (the `code` of its problem responses), so that the
//! web UI has a message for each: `refusal-<code>` in `locales/{en,it,de}/refusals.ftl`.
//!
//! The codes come from two places:
//! - the `DomainError` constructors (`new`, `conflict`, `not_found`, `forbidden`) anywhere
//!   under `src/`, called with the code directly or through a helper that passes its code on
//!   (`printable_line`, `identifier`, the custody `line`, the supervision `text`, the lot
//!   `refuse`, the release `block`, `refuse_self`);
//! - `AppError::code` in `src/error.rs`: authentication, HTTP, ledger and internal failures.
//!
//! The tests read `src/` and fail when a code is used there but missing here, or listed here
//! but no longer used.

/// Sorted, without duplicates.
pub const REFUSAL_CODES: &[&str] = &[
    "account_busy",
    "account_inactive",
    "account_locked",
    "already_acknowledged",
    "already_decided",
    "already_inactive",
    "already_received",
    "already_signed",
    "already_verified",
    "analyst_made_batch",
    "approver_imported_template",
    "approver_is_author",
    "approver_requested_roles",
    "approver_role",
    "attachment_not_found",
    "attachment_unknown",
    "audit_download_too_large",
    "bad_request",
    "batch_infused",
    "batch_not_found",
    "batch_not_on_hold",
    "batch_on_hold",
    "batch_rejected",
    "batch_terminated",
    "bedside_check_pending",
    "bedside_check_required",
    "cannot_sign_signature",
    "checkpoint_inconsistent",
    "checkpoint_not_found",
    "checkpoint_precedes_batch",
    "coi_check_character",
    "coi_in_use",
    "coi_mismatch",
    "coi_required",
    "correction_not_awaiting_approval",
    "correction_not_awaiting_verification",
    "correction_not_found",
    "correction_pending",
    "corrupt_batch",
    "deviation_closed",
    "deviation_not_classified",
    "deviation_not_found",
    "entry_too_large_for_bundle",
    "equipment_exists",
    "equipment_not_found",
    "equipment_out_of_calibration",
    "equipment_unknown",
    "follow_up_period_over",
    "forbidden",
    "idempotency_key_reused",
    "incident_already_confirmed",
    "incident_already_recorded",
    "incident_confirmer_not_admin",
    "incident_confirmer_recorded_it",
    "incident_not_recorded",
    "incident_recorder_not_qa",
    "incompatible_roles",
    "internal_error",
    "invalid_actions",
    "invalid_adverse_event",
    "invalid_attachment",
    "invalid_bags",
    "invalid_calibration",
    "invalid_capa_ref",
    "invalid_cause",
    "invalid_coi",
    "invalid_coi_sequence",
    "invalid_coi_year",
    "invalid_comment",
    "invalid_container_id",
    "invalid_credentials",
    "invalid_date_of_birth",
    "invalid_decimal",
    "invalid_description",
    "invalid_disease_status",
    "invalid_dose",
    "invalid_equipment_id",
    "invalid_equipment_kind",
    "invalid_facility_id",
    "invalid_full_name",
    "invalid_immediate_reactions",
    "invalid_immunosuppression",
    "invalid_investigation",
    "invalid_justification",
    "invalid_logger_id",
    "invalid_lot_number",
    "invalid_material",
    "invalid_notes",
    "invalid_number",
    "invalid_patient_code",
    "invalid_patient_weight",
    "invalid_premedication",
    "invalid_proof_request",
    "invalid_reason",
    "invalid_result",
    "invalid_role",
    "invalid_root_cause",
    "invalid_shipper_id",
    "invalid_supplier",
    "invalid_temperature",
    "invalid_template",
    "invalid_time",
    "invalid_token",
    "invalid_treating_site",
    "invalid_username",
    "invalid_value",
    "invalid_visit_date",
    "justification_required",
    "ledger_head_mismatch",
    "ledger_incident_open",
    "ledger_still_unverified",
    "ledger_unverified",
    "lot_expired",
    "lot_in_quarantine",
    "lot_not_found",
    "lot_rejected",
    "lot_status",
    "lot_unknown",
    "lot_wrong_material",
    "manufacturing_incomplete",
    "meaning_needs_its_action",
    "merkle_node_conflict",
    "merkle_tree_behind",
    "method_not_allowed",
    "missing_token",
    "missing_value",
    "no_change",
    "no_check_to_witness",
    "no_checkpoint",
    "no_ledger_incident",
    "no_roles",
    "no_such_tile",
    "not_acknowledged",
    "not_found",
    "not_infused",
    "not_locked",
    "not_out_of_specification",
    "not_performer",
    "not_received",
    "not_released",
    "nothing_pending",
    "nothing_recorded",
    "nothing_to_sign",
    "open_deviation",
    "out_of_specification",
    "own_account",
    "own_roles",
    "password_change_required",
    "password_not_accepted",
    "password_reused",
    "payload_too_large",
    "performer_is_not_author",
    "physician_request_missing",
    "precondition_failed",
    "qc_incomplete",
    "qc_not_independent",
    "qc_test_not_found",
    "qp_took_part",
    "record_incomplete",
    "record_not_found",
    "request_in_progress",
    "reserved_username",
    "result_already_recorded",
    "result_not_found",
    "retest_reason_required",
    "risk_not_acknowledged",
    "same_clinician",
    "self_verification",
    "session_ended",
    "shipment_in_transit",
    "shipment_not_found",
    "shipping_limit_missing",
    "sign_through_its_action",
    "signature_expired",
    "signature_password_wrong",
    "signature_spans_streams",
    "stale",
    "step_already_recorded",
    "step_not_found",
    "step_out_of_order",
    "template_not_approved",
    "template_not_draft",
    "template_not_found",
    "template_version_exists",
    "tested_batch",
    "too_many_attempts",
    "unknown_field",
    "uri_too_long",
    "user_not_found",
    "username_taken",
    "verification_not_required",
    "verifier_took_part",
    "weak_password",
    "wrong_meaning",
    "wrong_password",
    "wrong_role",
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::REFUSAL_CODES;

    /// The `DomainError` constructors that take the code as their first argument.
    const CONSTRUCTORS: [&str; 4] = ["new", "conflict", "not_found", "forbidden"];

    /// Functions and closures that pass a code on to a `DomainError` constructor: the file
    /// they are called in (a prefix of its path under `src/`; empty for any file), their name,
    /// and the position of the code among their arguments. A helper renamed without updating
    /// this table shows as listed codes "no longer used"; a new helper's codes are checked only
    /// once it is added here.
    const HELPERS: [(&str, &str, usize); 7] = [
        ("", "printable_line", 1),
        ("", "identifier", 1),
        ("accounts/", "refuse_self", 2),
        ("domain/batch/custody.rs", "line", 1),
        ("domain/batch/supervision.rs", "text", 1),
        ("domain/material.rs", "refuse", 0),
        ("domain/batch/release.rs", "block", 0),
    ];

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Token {
        Ident(String),
        Str(String),
        Punct(char),
    }

    /// Rust source as identifiers, string literals and punctuation; whitespace, comments, char
    /// literals and lifetimes are dropped, so a call reads the same however it is laid out.
    fn tokenize(source: &str) -> Vec<Token> {
        let chars: Vec<char> = source.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            let next = chars.get(i + 1).copied();
            if c.is_whitespace() {
                i += 1;
            } else if c == '/' && next == Some('/') {
                while chars.get(i).is_some_and(|&c| c != '\n') {
                    i += 1;
                }
            } else if c == '/' && next == Some('*') {
                i = skip_block_comment(&chars, i);
            } else if c == '"' {
                let (text, end) = read_string(&chars, i + 1);
                tokens.push(Token::Str(text));
                i = end;
            } else if c == '\'' {
                i = skip_char_or_lifetime(&chars, i);
            } else if c.is_alphanumeric() || c == '_' {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|&c| c.is_alphanumeric() || c == '_')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match string_prefix(&word, &chars, i) {
                    Some((text, end)) => {
                        tokens.push(Token::Str(text));
                        i = end;
                    }
                    None => tokens.push(Token::Ident(word)),
                }
            } else {
                tokens.push(Token::Punct(c));
                i += 1;
            }
        }
        tokens
    }

    /// Block comments nest in Rust.
    fn skip_block_comment(chars: &[char], start: usize) -> usize {
        let (mut i, mut depth) = (start, 0usize);
        while i < chars.len() {
            match (chars[i], chars.get(i + 1)) {
                ('/', Some('*')) => (depth, i) = (depth + 1, i + 2),
                ('*', Some('/')) => {
                    (depth, i) = (depth.saturating_sub(1), i + 2);
                    if depth == 0 {
                        return i;
                    }
                }
                _ => i += 1,
            }
        }
        i
    }

    /// The text of a `"..."` literal whose content starts at `start`, and where it ends.
    fn read_string(chars: &[char], start: usize) -> (String, usize) {
        let (mut text, mut i) = (String::new(), start);
        while let Some(&c) = chars.get(i) {
            match c {
                '"' => return (text, i + 1),
                '\\' => {
                    text.extend(chars.get(i + 1));
                    i += 2;
                }
                _ => {
                    text.push(c);
                    i += 1;
                }
            }
        }
        (text, i)
    }

    /// `'a'`, `'\''`, `'\u{202e}'` are skipped whole; a lifetime loses only its quote.
    fn skip_char_or_lifetime(chars: &[char], start: usize) -> usize {
        if chars.get(start + 1) == Some(&'\\') {
            let mut i = start + 3;
            while chars.get(i).is_some_and(|&c| c != '\'') {
                i += 1;
            }
            return i + 1;
        }
        if chars.get(start + 2) == Some(&'\'') {
            return start + 3;
        }
        start + 1
    }

    /// A string literal that starts with a prefix just read as a word (`b"..."`, `r#"..."#`).
    fn string_prefix(word: &str, chars: &[char], i: usize) -> Option<(String, usize)> {
        match (word, chars.get(i)) {
            ("b" | "c", Some('"')) => Some(read_string(chars, i + 1)),
            ("r" | "br" | "cr", Some('"' | '#')) => {
                let hashes = chars[i..].iter().take_while(|&&c| c == '#').count();
                // `r#type` is a raw identifier, not a string.
                if chars.get(i + hashes) != Some(&'"') {
                    return None;
                }
                let start = i + hashes + 1;
                let closing: Vec<char> = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                let end = (start..chars.len())
                    .find(|&at| chars[at..].starts_with(&closing))
                    .unwrap_or(chars.len());
                let text = chars[start..end].iter().collect();
                Some((text, (end + closing.len()).min(chars.len())))
            }
            _ => None,
        }
    }

    /// Drops every item under `#[cfg(test)]`: its codes are never answered.
    fn without_test_items(tokens: &[Token]) -> Vec<Token> {
        let cfg_test = [
            Token::Punct('#'),
            Token::Punct('['),
            Token::Ident("cfg".to_owned()),
            Token::Punct('('),
            Token::Ident("test".to_owned()),
            Token::Punct(')'),
            Token::Punct(']'),
        ];
        let (mut kept, mut i) = (Vec::new(), 0);
        while i < tokens.len() {
            if tokens[i..].starts_with(&cfg_test) {
                i = end_of_item(tokens, i + cfg_test.len());
            } else {
                kept.push(tokens[i].clone());
                i += 1;
            }
        }
        kept
    }

    /// Where the item starting at `start` ends: after its `;` or its closing `}`.
    fn end_of_item(tokens: &[Token], start: usize) -> usize {
        let mut depth = 0usize;
        for (i, token) in tokens.iter().enumerate().skip(start) {
            match token {
                Token::Punct('{' | '(' | '[') => depth += 1,
                Token::Punct('}') if depth <= 1 => return i + 1,
                Token::Punct('}' | ')' | ']') => depth = depth.saturating_sub(1),
                Token::Punct(';') if depth == 0 => return i + 1,
                _ => {}
            }
        }
        tokens.len()
    }

    fn ident(token: Option<&Token>, name: &str) -> bool {
        matches!(token, Some(Token::Ident(found)) if found == name)
    }

    fn punct(token: Option<&Token>, c: char) -> bool {
        token == Some(&Token::Punct(c))
    }

    /// `DomainError::<constructor>("code"`.
    fn direct_codes(tokens: &[Token]) -> Vec<String> {
        let mut codes = Vec::new();
        for i in 0..tokens.len() {
            let at = |k: usize| tokens.get(i + k);
            let call = ident(at(0), "DomainError")
                && punct(at(1), ':')
                && punct(at(2), ':')
                && CONSTRUCTORS.iter().any(|name| ident(at(3), name))
                && punct(at(4), '(');
            if let (true, Some(Token::Str(code))) = (call, at(5)) {
                codes.push(code.clone());
            }
        }
        codes
    }

    /// `name(..., "code", ...)` with the code at argument `position`.
    fn helper_codes(tokens: &[Token], name: &str, position: usize) -> Vec<String> {
        let mut codes = Vec::new();
        for i in 0..tokens.len() {
            let definition = i > 0 && ident(tokens.get(i - 1), "fn");
            if ident(tokens.get(i), name) && punct(tokens.get(i + 1), '(') && !definition {
                if let [Token::Str(code)] = argument(tokens, i + 2, position) {
                    codes.push(code.clone());
                }
            }
        }
        codes
    }

    /// The tokens of argument `position` of the call whose arguments start at `start`.
    fn argument(tokens: &[Token], start: usize, position: usize) -> &[Token] {
        let (mut depth, mut index, mut from) = (0usize, 0usize, start);
        for (i, token) in tokens.iter().enumerate().skip(start) {
            match token {
                Token::Punct('(' | '[' | '{') => depth += 1,
                Token::Punct(')' | ']' | '}') if depth == 0 => {
                    return if index == position {
                        &tokens[from..i]
                    } else {
                        &[]
                    };
                }
                Token::Punct(')' | ']' | '}') => depth -= 1,
                Token::Punct(',') if depth == 0 => {
                    if index == position {
                        return &tokens[from..i];
                    }
                    (index, from) = (index + 1, i + 1);
                }
                _ => {}
            }
        }
        &[]
    }

    /// Every string literal in the body of `fn code`: the arms of `AppError::code`.
    fn app_error_codes(tokens: &[Token]) -> Vec<String> {
        let Some(start) = (0..tokens.len())
            .find(|&i| ident(tokens.get(i), "fn") && ident(tokens.get(i + 1), "code"))
        else {
            return Vec::new();
        };
        let Some(open) = (start..tokens.len()).find(|&i| punct(tokens.get(i), '{')) else {
            return Vec::new();
        };
        let end = end_of_item(tokens, open);
        tokens[open..end]
            .iter()
            .filter_map(|token| match token {
                Token::Str(code) => Some(code.clone()),
                _ => None,
            })
            .collect()
    }

    fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }

    /// Each code used under `src/`, with the files that use it.
    fn codes_in_source() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for path in files {
            let relative = path.strip_prefix(&src).unwrap_or(&path);
            let relative = relative.to_string_lossy().replace('\\', "/");
            let stem = relative.rsplit('/').next().unwrap_or_default();
            // Test modules kept in their own files (`#[path = "..._tests.rs"] mod tests;`).
            if stem == "tests.rs" || stem.ends_with("_tests.rs") {
                continue;
            }
            let source = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
            let tokens = without_test_items(&tokenize(&source));
            let mut codes = direct_codes(&tokens);
            for (prefix, name, position) in HELPERS {
                if relative.starts_with(prefix) {
                    codes.extend(helper_codes(&tokens, name, position));
                }
            }
            if relative == "error.rs" {
                codes.extend(app_error_codes(&tokens));
            }
            for code in codes {
                used.entry(code).or_default().insert(relative.clone());
            }
        }
        used
    }

    #[test]
    fn every_code_used_in_the_source_is_listed() {
        let used = codes_in_source();
        assert!(used.len() > 100, "the scan found only {} codes", used.len());
        let missing: Vec<String> = used
            .iter()
            .filter(|(code, _)| !REFUSAL_CODES.contains(&code.as_str()))
            .map(|(code, files)| {
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                format!("{code} (in {})", files.join(", "))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "codes answered by the service but missing from REFUSAL_CODES (add each, and its \
             message to locales/*/refusals.ftl): {missing:?}"
        );
    }

    #[test]
    fn every_listed_code_is_used_in_the_source() {
        let used = codes_in_source();
        let stale: Vec<&str> = REFUSAL_CODES
            .iter()
            .copied()
            .filter(|code| !used.contains_key(*code))
            .collect();
        assert!(
            stale.is_empty(),
            "codes in REFUSAL_CODES that nothing under src/ answers any more (remove them and \
             their messages, or add the helper that passes them on to HELPERS): {stale:?}"
        );
    }

    #[test]
    fn the_list_is_sorted_without_duplicates() {
        let unsorted: Vec<_> = REFUSAL_CODES.windows(2).filter(|w| w[0] >= w[1]).collect();
        assert!(
            unsorted.is_empty(),
            "out of order or repeated: {unsorted:?}"
        );
    }

    #[test]
    fn the_scan_reads_calls_however_they_are_laid_out() {
        let source = r###"
            // DomainError::new("in_a_comment", "x")
            let a = DomainError::conflict(
                "split_over_lines", format!("{x}: '\"'"),
            );
            let b = crate::domain::DomainError::forbidden("qualified", 'x');
            let c = DomainError::new(code, "a variable is not a code");
            let (quote, r#type) = ('\'', r##"DomainError::new("in_a_raw_string", "x")"##);
            printable_line(raw, "through_a_helper", "what", 1..=2);
            fn printable_line(raw: &str, code: &'static str) {}
            #[cfg(test)]
            mod tests {
                fn f() { DomainError::new("only_in_tests", "x"); }
            }
        "###;
        let tokens = without_test_items(&tokenize(source));
        assert_eq!(
            direct_codes(&tokens),
            ["split_over_lines", "qualified"],
            "direct calls"
        );
        assert_eq!(
            helper_codes(&tokens, "printable_line", 1),
            ["through_a_helper"],
            "helper calls"
        );
    }
}
