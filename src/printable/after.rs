//! After manufacturing in the printable record: holds, QC results with their verdicts, the
//! physician's request, the QP's decision, shipments and custody, the bedside checks, the
//! infusion and the follow-up visits, each with its signatures.

use super::manufacturing::signatures;
use super::model::{by_at, optional, when, yes_no, Section};
use crate::domain::batch::{HoldRecord, OosResult, Verdict};
use crate::services::batches::release_view::AfterManufacturing;
use crate::services::batches::BatchView;

pub fn holds(holds: &[HoldRecord], view: &BatchView) -> Section {
    let mut section = Section::new("Holds");
    if holds.is_empty() {
        section.note("The batch was never put on hold.");
    }
    section.table(
        &[
            ("Reason", 5),
            ("Placed by, at", 4),
            ("Lifted by, at", 4),
            ("Why lifted", 4),
        ],
        holds
            .iter()
            .map(|h| {
                let (lifted, why) = match &h.resumed {
                    Some((reason, entry)) => {
                        (format!("{}, {}", entry.by, when(&entry.at)), reason.clone())
                    }
                    None => ("in force".to_owned(), "—".to_owned()),
                };
                vec![
                    h.reason.clone(),
                    format!("{}, {}", h.entry.by, when(&h.entry.at)),
                    lifted,
                    why,
                ]
            })
            .collect(),
    );
    if let Some(reason) = &view.hold {
        section.note(format!("On hold now: {reason}"));
    }
    section
}

pub fn sections(after: &AfterManufacturing) -> Vec<Section> {
    vec![qc(after), decision(after), custody(after), patient(after)]
}

fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Oos => "out of specification",
        Verdict::Reported => "reported",
    }
}

fn qc(after: &AfterManufacturing) -> Section {
    let mut section = Section::new("Quality control");
    if after.qc_results.is_empty() {
        section.note("No QC result was recorded.");
    }
    for r in &after.qc_results {
        section.heading(format!(
            "{}, attempt {} (entry {}){}",
            r.test_id,
            r.attempt,
            r.seq,
            if r.current { "" } else { ", superseded" }
        ));
        section.fields(vec![
            ("Result", r.result.clone()),
            ("Specification", r.specification.clone()),
            ("Verdict", verdict(r.verdict).to_owned()),
            ("Comment", optional(r.comment.as_ref())),
            (
                "Recorded",
                format!("{} at {}", r.recorded_by, when(&r.recorded_at)),
            ),
            (
                "Verified",
                by_at(r.verified_by.as_ref(), r.verified_at.as_ref()),
            ),
        ]);
        signatures(&mut section, &r.signatures);
    }
    section
}

fn oos_list(results: &[OosResult]) -> String {
    if results.is_empty() {
        return "none".to_owned();
    }
    results
        .iter()
        .map(|r| {
            format!(
                "{} attempt {}: {} (specification {})",
                r.test_id, r.attempt, r.result, r.specification
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn decision(after: &AfterManufacturing) -> Section {
    let mut section = Section::new("The QP's decision");
    for p in &after.physician_requests {
        section.heading(format!("Physician's request (entry {})", p.seq));
        section.fields(vec![
            ("Reason", p.reason.clone()),
            ("Risk acknowledged", yes_no(p.risk_acknowledged)),
            ("Out-of-specification results", oos_list(&p.oos_results)),
            (
                "Requested",
                format!("{} at {}", p.requested_by, when(&p.requested_at)),
            ),
        ]);
        signatures(&mut section, &p.signatures);
    }
    match &after.release {
        None => section.note("No decision has been made."),
        Some(r) => {
            section.heading(format!("Decision (entry {})", r.seq));
            section.fields(vec![
                ("Decision", r.decision.replace('_', " ")),
                ("Justification", optional(r.justification.as_ref())),
                ("Out-of-specification results", oos_list(&r.oos_results)),
                (
                    "Decided",
                    format!("{} at {}", r.decided_by, when(&r.decided_at)),
                ),
            ]);
            signatures(&mut section, &r.signatures);
        }
    }
    section
}

fn custody(after: &AfterManufacturing) -> Section {
    let mut section = Section::new("Shipment and custody");
    if after.shipments.is_empty() {
        section.note("The batch has not been shipped.");
    }
    for s in &after.shipments {
        section.heading(format!("Shipment {} (entry {})", s.shipment_id, s.seq));
        section.fields(vec![
            ("Shipper", s.shipper_id.clone()),
            ("Container", s.container_id.clone()),
            ("Temperature logger", s.logger_id.clone()),
            (
                "Dispatched",
                format!("{} at {}", s.dispatched_by, when(&s.dispatched_at)),
            ),
        ]);
        signatures(&mut section, &s.signatures);
        if let Some(r) = &s.receipt {
            section.heading(format!(
                "Receipt of shipment {} (entry {})",
                s.shipment_id, r.seq
            ));
            section.fields(vec![
                (
                    "Received",
                    format!("{} at {}", r.received_by, when(&r.received_at)),
                ),
                (
                    "Temperature",
                    format!(
                        "{} °C to {} °C (limit {} °C)",
                        r.min_temperature_c, r.max_temperature_c, r.limit_c
                    ),
                ),
                ("Container intact", yes_no(r.container_intact)),
                ("Excursion", yes_no(r.excursion)),
                (
                    "Deviation raised",
                    r.deviation_id
                        .map_or_else(|| "—".to_owned(), |d| d.to_string()),
                ),
            ]);
            signatures(&mut section, &r.signatures);
        }
    }
    section
}

fn patient(after: &AfterManufacturing) -> Section {
    let mut section = Section::new("Bedside, infusion and follow-up");
    for c in &after.bedside_checks {
        section.heading(format!(
            "Bedside identity check {} (entry {})",
            c.check_id, c.seq
        ));
        section.fields(vec![
            ("Product identity", c.product_coi.clone()),
            ("Patient identity", c.patient_coi.clone()),
            (
                "Performed",
                format!("{} at {}", c.performed_by, when(&c.performed_at)),
            ),
            (
                "Witnessed",
                by_at(c.witnessed_by.as_ref(), c.witnessed_at.as_ref()),
            ),
            ("Passed", yes_no(c.passed)),
        ]);
        signatures(&mut section, &c.signatures);
    }
    if let Some(i) = &after.infusion {
        section.heading(format!("Infusion (entry {})", i.seq));
        section.fields(vec![
            ("Thaw started", when(&i.thaw_started_at)),
            ("Infusion started", when(&i.infusion_started_at)),
            ("Infusion ended", when(&i.infusion_ended_at)),
            ("Bags", i.bags.to_string()),
            ("Dose (CAR-T cells per kg)", i.dose_car_t_per_kg.clone()),
            ("Premedication", i.premedication.clone()),
            ("Immediate reactions", i.immediate_reactions.clone()),
            ("Bedside check", i.bedside_check_id.to_string()),
            (
                "Recorded",
                format!("{} at {}", i.recorded_by, when(&i.recorded_at)),
            ),
        ]);
        signatures(&mut section, &i.signatures);
    }
    for v in &after.follow_ups {
        section.heading(format!("Follow-up visit {} (entry {})", v.visit, v.seq));
        let events = v
            .adverse_events
            .iter()
            .map(|e| format!("{} (grade {})", e.term, e.grade))
            .collect::<Vec<_>>()
            .join("; ");
        section.fields(vec![
            ("Visit date", v.visit_date.clone()),
            ("Disease status", v.disease_status.clone()),
            ("Immunosuppression", v.immunosuppression.clone()),
            (
                "Adverse events",
                if events.is_empty() {
                    "none".to_owned()
                } else {
                    events
                },
            ),
            ("Secondary malignancy", yes_no(v.secondary_malignancy)),
            ("Notes", optional(v.notes.as_ref())),
            (
                "Recorded",
                format!("{} at {}", v.recorded_by, when(&v.recorded_at)),
            ),
        ]);
        signatures(&mut section, &v.signatures);
    }
    if after.bedside_checks.is_empty() && after.infusion.is_none() && after.follow_ups.is_empty() {
        section.note("Nothing has been recorded at the bedside yet.");
    }
    section
}
