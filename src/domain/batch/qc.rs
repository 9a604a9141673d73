//! QC release testing: each result judged against the template's specification and kept as
//! observed, a second analyst's verification, and the independence of QC from manufacturing.
//! An out-of-specification result is never overwritten: a re-test is a new result, with its
//! reason, and both stay on the record.

use super::release::ensure_undecided;
use super::supervision::ensure_open;
use super::{Batch, BatchEvent, QcResult, QcResultRecorded, QcResultRef, Verdict};
use crate::domain::quantity::Decimal;
use crate::domain::template::{QcSpec, QcTest, Template};
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError, Role, Roles};

/// How a result reads against a specification, and the result as it is kept (trimmed, NFC).
pub fn judge(spec: &QcSpec, raw: &str) -> Result<(String, Verdict), DomainError> {
    let result = printable_line(raw, "invalid_result", "result", 1..=200)?;
    let verdict = match spec {
        QcSpec::Range { min, max, unit } => {
            let value = number(&result, unit.as_deref())?;
            let low = min.as_ref().is_some_and(|min| &value < min);
            let high = max.as_ref().is_some_and(|max| &value > max);
            if low || high {
                Verdict::Oos
            } else {
                Verdict::Pass
            }
        }
        QcSpec::Report { unit } => {
            number(&result, unit.as_deref())?;
            Verdict::Reported
        }
        QcSpec::PassFail => match result.to_lowercase().as_str() {
            "pass" => Verdict::Pass,
            "fail" => Verdict::Oos,
            _ => {
                return Err(DomainError::new(
                    "invalid_result",
                    "result: this test is recorded as \"pass\" or \"fail\"",
                ))
            }
        },
        QcSpec::ExpectedText { expected } => {
            if result.to_lowercase() == expected.to_lowercase() {
                Verdict::Pass
            } else {
                Verdict::Oos
            }
        }
    };
    Ok((result, verdict))
}

fn number(result: &str, unit: Option<&str>) -> Result<Decimal, DomainError> {
    Decimal::parse(result).map_err(|_| {
        DomainError::new(
            "invalid_result",
            format!(
                "result: a decimal number{}, as a string (e.g. \"92.5\"); the unit is not typed",
                unit.map(|u| format!(" of {u}")).unwrap_or_default()
            ),
        )
    })
}

/// The specification in words, as the record prints it next to the result.
pub fn specification(spec: &QcSpec) -> String {
    let unit = |unit: &Option<String>| unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
    match spec {
        QcSpec::Range { min, max, unit: u } => match (min, max) {
            (Some(min), Some(max)) => format!("{min} to {max}{}", unit(u)),
            (Some(min), None) => format!("at least {min}{}", unit(u)),
            (None, Some(max)) => format!("at most {max}{}", unit(u)),
            (None, None) => format!("any value{}", unit(u)),
        },
        QcSpec::PassFail => "pass".to_owned(),
        QcSpec::Report { unit: u } => format!("reported{}", unit(u)),
        QcSpec::ExpectedText { expected } => format!("\"{expected}\""),
    }
}

fn find_test<'t>(template: &'t Template, test_id: &str) -> Result<&'t QcTest, DomainError> {
    template.qc_test(test_id).ok_or_else(|| {
        DomainError::not_found(
            "qc_test_not_found",
            format!(
                "template {} version {} has no QC test {test_id}",
                template.code, template.version
            ),
        )
    })
}

/// QC is independent of manufacturing: an analyst who made the batch never tests it.
fn ensure_independent(batch: &Batch, analyst: (&str, &Roles)) -> Result<(), DomainError> {
    if !analyst.1.contains(Role::QcAnalyst) {
        return Err(DomainError::forbidden(
            "wrong_role",
            "QC results are recorded and verified by QC analysts",
        ));
    }
    if batch.made_by(analyst.0) {
        return Err(DomainError::forbidden(
            "analyst_made_batch",
            format!(
                "you performed, verified or corrected a manufacturing step of batch {}; its QC \
                 results are recorded and verified by an analyst who did not",
                batch.created.batch_number
            ),
        ));
    }
    Ok(())
}

/// A QC result, once every manufacturing step is recorded. A second result for the same test
/// is a re-test, allowed only after an out-of-specification result, with its reason.
pub fn decide_qc_record(
    batch: &Batch,
    template: &Template,
    test_id: &str,
    (raw_result, comment): (&str, Option<&str>),
    analyst: (&str, &Roles),
) -> Result<BatchEvent, DomainError> {
    ensure_open(batch)?;
    ensure_undecided(batch)?;
    let test = find_test(template, test_id)?;
    ensure_independent(batch, analyst)?;
    if !batch.manufacturing_recorded(template) {
        return Err(DomainError::conflict(
            "manufacturing_incomplete",
            format!(
                "batch {} has manufacturing steps not yet recorded; QC results follow harvest \
                 and cryopreservation",
                batch.created.batch_number
            ),
        ));
    }
    let comment = comment
        .map(|c| printable_line(c, "invalid_comment", "comment", 1..=2000))
        .transpose()
        .about("comment")?;
    let earlier = batch.current_qc_result(test_id);
    if let Some(earlier) = earlier {
        if earlier.recorded.verdict != Verdict::Oos {
            return Err(DomainError::conflict(
                "result_already_recorded",
                format!(
                    "test {test_id} already has a result ({}); only an out-of-specification \
                     result is re-tested, and a mistyped one is corrected",
                    earlier.recorded.result
                ),
            ));
        }
        if comment.is_none() {
            return Err(DomainError::new(
                "retest_reason_required",
                format!(
                    "comment: test {test_id} was out of specification ({}); a re-test states \
                     why (e.g. the laboratory investigation that invalidated it)",
                    earlier.recorded.result
                ),
            )
            .about("comment"));
        }
    }
    let (result, verdict) = judge(&test.spec, raw_result).about("result")?;
    let attempt = earlier.map_or(1, |e| e.recorded.attempt + 1);
    Ok(BatchEvent::QcResultRecorded(QcResultRecorded {
        test_id: test.id.clone(),
        attempt,
        result,
        specification: specification(&test.spec),
        verdict,
        comment,
    }))
}

/// A second analyst verifies the latest result of a test. Returns the event and the result it
/// verifies (which the verifier's signature binds).
pub fn decide_qc_verify<'b>(
    batch: &'b Batch,
    template: &Template,
    test_id: &str,
    verifier: (&str, &Roles),
) -> Result<(BatchEvent, &'b QcResult), DomainError> {
    ensure_open(batch)?;
    ensure_undecided(batch)?;
    find_test(template, test_id)?;
    ensure_independent(batch, verifier)?;
    let result = batch.current_qc_result(test_id).ok_or_else(|| {
        DomainError::not_found(
            "result_not_found",
            format!("test {test_id} has no result to verify"),
        )
    })?;
    if result.entry.by == verifier.0 {
        return Err(DomainError::forbidden(
            "self_verification",
            format!("you recorded the result of {test_id}; a second analyst must verify it"),
        ));
    }
    if result.verified.is_some() {
        return Err(DomainError::conflict(
            "already_verified",
            format!(
                "the result of {test_id} (attempt {}) is already verified",
                result.recorded.attempt
            ),
        ));
    }
    let event = BatchEvent::QcResultVerified(QcResultRef {
        test_id: test_id.to_owned(),
        attempt: result.recorded.attempt,
    });
    Ok((event, result))
}
