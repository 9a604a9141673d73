//! After certification: the chain of custody to the ward, the two-person identity check at
//! the bedside, the infusion that closes the batch, and 15 years of follow-up. A mix-up of
//! patients is fatal, so a wrong identifier at the bedside is refused, recorded as a security
//! event, and voids any check made before it.

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

use super::decide::Outcome;
use super::supervision::{ensure_not_closed, ensure_open};
use super::{
    AdverseEvent, Batch, BatchEvent, BedsideCheck, BedsideCheckRecord, CoiMismatch,
    DeviationRaised, FollowUp, Infused, ReleaseDecision, ShipmentDispatched, ShipmentReceived,
};
use crate::domain::coi::Coi;
use crate::domain::quantity::Decimal;
use crate::domain::template::Template;
use crate::domain::text::printable_line;
use crate::domain::{About, DomainError};

pub use crate::domain::template::BEDSIDE_CHECK;

/// How far a stated time may lie ahead of the server's clock (clocks on a ward drift).
const CLOCK_LEEWAY_MINUTES: i64 = 5;

/// Gene-therapy follow-up lasts 15 years after infusion.
const FOLLOW_UP_YEARS: u32 = 15;

/// A line of text the request's member `field` holds.
fn line(raw: &str, code: &'static str, field: &str, max: usize) -> Result<String, DomainError> {
    printable_line(raw, code, field, 1..=max).about(field)
}

fn not_future(at: DateTime<Utc>, what: &str, now: DateTime<Utc>) -> Result<(), DomainError> {
    if at > now + Duration::minutes(CLOCK_LEEWAY_MINUTES) {
        return Err(DomainError::new(
            "invalid_time",
            format!("{what}: {} is in the future", at.to_rfc3339()),
        )
        .about(what));
    }
    Ok(())
}

fn not_before(
    at: DateTime<Utc>,
    what: &str,
    earlier: DateTime<Utc>,
    earlier_what: &str,
) -> Result<(), DomainError> {
    if at < earlier {
        return Err(DomainError::new(
            "invalid_time",
            format!(
                "{what}: {} is before {earlier_what} ({})",
                at.to_rfc3339(),
                earlier.to_rfc3339()
            ),
        )
        .about(what));
    }
    Ok(())
}

fn recorded_time(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

pub struct Dispatch {
    pub shipper_id: String,
    pub container_id: String,
    pub logger_id: String,
    pub dispatched_at: DateTime<Utc>,
}

/// A certified batch leaves for the treating site; one shipment at a time, each leg its own.
pub fn decide_dispatch(
    batch: &Batch,
    input: Dispatch,
    now: DateTime<Utc>,
) -> Result<BatchEvent, DomainError> {
    ensure_open(batch)?;
    let release = batch
        .release
        .as_ref()
        .filter(|r| r.decided.decision != ReleaseDecision::Rejected)
        .ok_or_else(|| {
            DomainError::conflict(
                "not_released",
                format!(
                    "batch {} is not certified by a QP; only a released batch is shipped",
                    batch.created.batch_number
                ),
            )
        })?;
    if let Some(open) = batch.shipments.iter().find(|s| s.receipt.is_none()) {
        return Err(DomainError::conflict(
            "shipment_in_transit",
            format!(
                "shipment {} is on its way; it is received before another leaves",
                open.dispatched.shipment_id
            ),
        ));
    }
    not_future(input.dispatched_at, "dispatched_at", now)?;
    if let Some(released_at) = recorded_time(&release.entry.at) {
        not_before(
            input.dispatched_at,
            "dispatched_at",
            released_at,
            "the QP's certification",
        )?;
    }
    Ok(BatchEvent::ShipmentDispatched(ShipmentDispatched {
        shipment_id: next_id(batch.shipments.len()),
        shipper_id: line(&input.shipper_id, "invalid_shipper_id", "shipper_id", 100)?,
        container_id: line(
            &input.container_id,
            "invalid_container_id",
            "container_id",
            100,
        )?,
        logger_id: line(&input.logger_id, "invalid_logger_id", "logger_id", 100)?,
        dispatched_at: input.dispatched_at,
    }))
}

fn next_id(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX - 1) + 1
}

pub struct Receipt {
    pub received_at: DateTime<Utc>,
    pub min_temperature_c: String,
    pub max_temperature_c: String,
    pub container_intact: bool,
}

fn temperature(raw: &str, what: &str) -> Result<Decimal, DomainError> {
    let refuse = || {
        DomainError::new(
            "invalid_temperature",
            format!("{what}: degrees Celsius as a decimal number between -273.15 and 100"),
        )
        .about(what)
    };
    let value = Decimal::parse(raw).map_err(|_| refuse())?;
    let coldest = Decimal::parse("-273.15").map_err(|_| refuse())?;
    if value < coldest || value > Decimal::from_integer(100) {
        return Err(refuse());
    }
    Ok(value)
}

/// The ward receives a shipment. A logger maximum warmer than the template's limit, or a
/// broken container, is recorded as received and raises a deviation that blocks infusion
/// until QA closes it.
pub fn decide_receive(
    batch: &Batch,
    template: &Template,
    shipment_id: u32,
    input: Receipt,
    now: DateTime<Utc>,
) -> Result<Vec<BatchEvent>, DomainError> {
    // An arrival is observed whether or not QA holds the batch: its readings are never lost
    // (the hold still blocks the bedside check and the infusion).
    ensure_not_closed(batch)?;
    let shipment = batch
        .shipments
        .iter()
        .find(|s| s.dispatched.shipment_id == shipment_id)
        .ok_or_else(|| {
            DomainError::not_found(
                "shipment_not_found",
                format!(
                    "batch {} has no shipment {shipment_id}",
                    batch.created.batch_number
                ),
            )
        })?;
    if shipment.receipt.is_some() {
        return Err(DomainError::conflict(
            "already_received",
            format!("shipment {shipment_id} is already received"),
        ));
    }
    let limit = template
        .shipping
        .as_ref()
        .map(|s| s.max_temperature_c.clone())
        .ok_or_else(|| {
            DomainError::conflict(
                "shipping_limit_missing",
                format!(
                    "template {} version {} states no shipping temperature limit; QA approves a \
                     version that does",
                    template.code, template.version
                ),
            )
        })?;
    not_future(input.received_at, "received_at", now)?;
    not_before(
        input.received_at,
        "received_at",
        shipment.dispatched.dispatched_at,
        "the dispatch",
    )?;
    let min = temperature(&input.min_temperature_c, "min_temperature_c")?;
    let max = temperature(&input.max_temperature_c, "max_temperature_c")?;
    if min > max {
        return Err(DomainError::new(
            "invalid_temperature",
            format!("min_temperature_c ({min}) is above max_temperature_c ({max})"),
        )
        .about("min_temperature_c"));
    }
    let excursion = max > limit;
    let mut problems = Vec::new();
    if excursion {
        problems.push(format!(
            "the logger's maximum {max} °C is above the limit of {limit} °C"
        ));
    }
    if !input.container_intact {
        problems.push("the container arrived damaged".to_owned());
    }
    let deviation_id = (!problems.is_empty()).then(|| batch.next_deviation_id());
    let mut events = vec![BatchEvent::ShipmentReceived(ShipmentReceived {
        shipment_id,
        received_at: input.received_at,
        min_temperature_c: min,
        max_temperature_c: max,
        container_intact: input.container_intact,
        limit_c: limit,
        excursion,
        deviation_id,
    })];
    if let Some(deviation_id) = deviation_id {
        events.push(BatchEvent::DeviationRaised(DeviationRaised {
            deviation_id,
            description: format!(
                "shipment {shipment_id} (logger {}): {}; do not infuse until QA closes this",
                shipment.dispatched.logger_id,
                problems.join(" and ")
            ),
            automatic: true,
            step_id: None,
            record: None,
            field_id: None,
            breach: None,
        }));
    }
    Ok(events)
}

/// Who signs this reading of the identifiers at the bedside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BedsideRole {
    /// The first clinician (signed `performed`).
    Checker,
    /// A second clinician (signed `witnessed`).
    Witness,
}

fn product_arrived(batch: &Batch) -> Result<(), DomainError> {
    match batch.shipments.last() {
        Some(shipment) if shipment.receipt.is_some() => Ok(()),
        _ => Err(DomainError::conflict(
            "not_received",
            format!(
                "batch {} has not been received on the ward",
                batch.created.batch_number
            ),
        )),
    }
}

fn waiting_check(batch: &Batch) -> Option<&BedsideCheckRecord> {
    batch.bedside_checks.last().filter(|c| c.awaits_witness())
}

/// An identifier that does not even parse is still a possible mix-up at the bedside (a label
/// from another system, a damaged wristband): refused, recorded, and it voids earlier checks.
/// Each read is (what was read, the request's member, what it gave, its parse).
type Read<'a> = (&'a str, &'a str, &'a str, Result<Coi, DomainError>);

fn unreadable(reads: [Read<'_>; 2]) -> Result<Outcome, DomainError> {
    let mut events = Vec::new();
    let mut refusal = None;
    for (source, field, raw, read) in reads {
        if let Err(error) = read {
            let presented = printable_line(raw, "invalid_coi", "the identifier", 1..=64)
                .unwrap_or_else(|_| "(unreadable)".to_owned());
            events.push(BatchEvent::CoiMismatch(CoiMismatch {
                step_id: BEDSIDE_CHECK.to_owned(),
                presented,
                source: Some(source.to_owned()),
            }));
            refusal.get_or_insert(
                DomainError::new(
                    "invalid_coi",
                    format!(
                        "STOP: DO NOT INFUSE. The {source} does not carry a chain of identity \
                     identifier ({}); the reading is recorded and a new two-person check must \
                     pass before infusion",
                        error.message
                    ),
                )
                .about(field),
            );
        }
    }
    let refusal = refusal.unwrap_or_else(|| DomainError::new("invalid_coi", "unreadable"));
    Ok(Outcome::RefuseAndRecord(events, refusal))
}

/// The product label and the patient's wristband, read by two clinicians in turn. Both must
/// be this batch's identifier.
pub fn decide_bedside_check(
    batch: &Batch,
    (product, patient): (&str, &str),
    role: BedsideRole,
    clinician: &str,
) -> Result<Outcome, DomainError> {
    ensure_open(batch)?;
    product_arrived(batch)?;
    let expected = batch.coi()?;
    let (product, patient) = match (Coi::parse(product), Coi::parse(patient)) {
        (Ok(product), Ok(patient)) => (product, patient),
        (product_read, patient_read) => {
            return unreadable([
                ("product label", "product_coi", product, product_read),
                ("patient wristband", "patient_coi", patient, patient_read),
            ])
        }
    };
    let mismatches: Vec<BatchEvent> =
        [("product label", &product), ("patient wristband", &patient)]
            .into_iter()
            .filter(|(_, coi)| **coi != expected)
            .map(|(source, coi)| {
                BatchEvent::CoiMismatch(CoiMismatch {
                    step_id: BEDSIDE_CHECK.to_owned(),
                    presented: coi.as_str().to_owned(),
                    source: Some(source.to_owned()),
                })
            })
            .collect();
    if !mismatches.is_empty() {
        let refusal = DomainError::new(
            "coi_mismatch",
            format!(
                "STOP: DO NOT INFUSE. The product label reads {} and the wristband {}, but batch \
                 {} belongs to {}. Nothing was recorded as checked; QA is alerted, and a new \
                 two-person check must pass before infusion",
                product.printed(),
                patient.printed(),
                batch.created.batch_number,
                expected.printed()
            ),
        );
        return Ok(Outcome::RefuseAndRecord(mismatches, refusal));
    }
    let check = |check_id| BedsideCheck {
        check_id,
        product_coi: product.as_str().to_owned(),
        patient_coi: patient.as_str().to_owned(),
    };
    let waiting = waiting_check(batch);
    let event = match (role, waiting) {
        (BedsideRole::Checker, Some(waiting)) => {
            return Err(DomainError::conflict(
                "bedside_check_pending",
                format!(
                    "the check by {} waits for a second clinician's witness (meaning `witnessed`)",
                    waiting.entry.by
                ),
            ))
        }
        (BedsideRole::Checker, None) => {
            BatchEvent::BedsideChecked(check(next_id(batch.bedside_checks.len())))
        }
        (BedsideRole::Witness, None) => {
            return Err(DomainError::conflict(
                "no_check_to_witness",
                "no bedside check waits for a witness: the first clinician signs `performed`",
            ))
        }
        (BedsideRole::Witness, Some(waiting)) if waiting.entry.by == clinician => {
            return Err(DomainError::forbidden(
                "same_clinician",
                "you made this check; a second clinician reads both identifiers again",
            ))
        }
        (BedsideRole::Witness, Some(waiting)) => {
            BatchEvent::BedsideWitnessed(check(waiting.check.check_id))
        }
    };
    Ok(Outcome::Record(vec![event]))
}

pub struct Infusion {
    pub thaw_started_at: DateTime<Utc>,
    pub infusion_started_at: DateTime<Utc>,
    pub infusion_ended_at: DateTime<Utc>,
    pub bags: u32,
    pub dose_car_t_per_kg: String,
    pub premedication: String,
    pub immediate_reactions: String,
}

/// The infusion, after a passed two-person check with no mismatch since, and no deviation
/// open: the batch closes.
pub fn decide_infusion(
    batch: &Batch,
    input: Infusion,
    now: DateTime<Utc>,
) -> Result<BatchEvent, DomainError> {
    ensure_open(batch)?;
    product_arrived(batch)?;
    let check = batch
        .bedside_checks
        .last()
        .filter(|c| c.passed())
        .ok_or_else(|| {
            DomainError::conflict(
                "bedside_check_required",
                "two clinicians check the product label and the wristband at the bedside, \
                 with no mismatch since, before infusion",
            )
        })?;
    if let Some(open) = batch.deviations.iter().find(|d| d.is_open()) {
        return Err(DomainError::conflict(
            "open_deviation",
            format!(
                "deviation {} is open ({}); QA closes it before infusion",
                open.raised.deviation_id, open.raised.description
            ),
        ));
    }
    not_future(input.infusion_ended_at, "infusion_ended_at", now)?;
    not_before(
        input.infusion_started_at,
        "infusion_started_at",
        input.thaw_started_at,
        "thaw_started_at",
    )?;
    not_before(
        input.infusion_ended_at,
        "infusion_ended_at",
        input.infusion_started_at,
        "infusion_started_at",
    )?;
    if let Some((received, _)) = batch.shipments.last().and_then(|s| s.receipt.as_ref()) {
        not_before(
            input.thaw_started_at,
            "thaw_started_at",
            received.received_at,
            "the receipt",
        )?;
    }
    // The record may never show the product given before both clinicians checked it.
    let witnessed = check.witnessed.as_ref().and_then(|w| recorded_time(&w.at));
    if let Some(witnessed) = witnessed {
        let earliest = witnessed - Duration::minutes(CLOCK_LEEWAY_MINUTES);
        not_before(
            input.infusion_started_at,
            "infusion_started_at",
            earliest,
            "the bedside check",
        )?;
    }
    if !(1..=20).contains(&input.bags) {
        return Err(DomainError::new("invalid_bags", "bags: 1 to 20 bags infused").about("bags"));
    }
    let dose = Decimal::parse(&input.dose_car_t_per_kg)
        .ok()
        .filter(|d| *d > Decimal::from_integer(0))
        .ok_or_else(|| {
            DomainError::new(
                "invalid_dose",
                "dose_car_t_per_kg: CAR+ T cells per kg as a positive decimal, e.g. \"1.0e6\"",
            )
            .about("dose_car_t_per_kg")
        })?;
    Ok(BatchEvent::Infused(Infused {
        thaw_started_at: input.thaw_started_at,
        infusion_started_at: input.infusion_started_at,
        infusion_ended_at: input.infusion_ended_at,
        bags: input.bags,
        dose_car_t_per_kg: dose,
        premedication: line(
            &input.premedication,
            "invalid_premedication",
            "premedication",
            500,
        )?,
        immediate_reactions: line(
            &input.immediate_reactions,
            "invalid_immediate_reactions",
            "immediate_reactions",
            500,
        )?,
        bedside_check_id: check.check.check_id,
    }))
}

pub struct Visit {
    pub visit_date: NaiveDate,
    pub disease_status: String,
    pub immunosuppression: String,
    pub adverse_events: Vec<AdverseEvent>,
    pub secondary_malignancy: bool,
    pub notes: Option<String>,
}

/// A follow-up visit, from the day of infusion to 15 years after it.
pub fn decide_follow_up(
    batch: &Batch,
    input: Visit,
    today: NaiveDate,
) -> Result<BatchEvent, DomainError> {
    if batch.terminated.is_some() {
        ensure_open(batch)?;
    }
    let infusion = batch.infusion.as_ref().ok_or_else(|| {
        DomainError::conflict(
            "not_infused",
            format!(
                "batch {} has not been infused; follow-up starts at infusion",
                batch.created.batch_number
            ),
        )
    })?;
    let infused_on = infusion.infused.infusion_ended_at.date_naive();
    if input.visit_date < infused_on || input.visit_date > today {
        return Err(DomainError::new(
            "invalid_visit_date",
            format!("visit_date: between the infusion ({infused_on}) and today"),
        )
        .about("visit_date"));
    }
    let end = infused_on
        .checked_add_months(Months::new(12 * FOLLOW_UP_YEARS))
        .unwrap_or(NaiveDate::MAX);
    if input.visit_date > end {
        return Err(DomainError::conflict(
            "follow_up_period_over",
            format!("the {FOLLOW_UP_YEARS}-year follow-up ended on {end}"),
        ));
    }
    if input.adverse_events.len() > 50 {
        return Err(DomainError::new(
            "invalid_adverse_event",
            "adverse_events: at most 50 per visit",
        )
        .about("adverse_events"));
    }
    let adverse_events = input
        .adverse_events
        .into_iter()
        .map(|event| {
            if !(1..=5).contains(&event.grade) {
                return Err(DomainError::new(
                    "invalid_adverse_event",
                    format!("adverse_events: {}: grade 1 to 5 (CTCAE)", event.term),
                )
                .about("adverse_events"));
            }
            Ok(AdverseEvent {
                term: line(
                    &event.term,
                    "invalid_adverse_event",
                    "adverse_events.term",
                    200,
                )
                .about("adverse_events")?,
                grade: event.grade,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok(BatchEvent::FollowUpRecorded(FollowUp {
        visit: next_id(batch.follow_ups.len()),
        visit_date: input.visit_date,
        disease_status: line(
            &input.disease_status,
            "invalid_disease_status",
            "disease_status",
            500,
        )?,
        immunosuppression: line(
            &input.immunosuppression,
            "invalid_immunosuppression",
            "immunosuppression",
            500,
        )?,
        adverse_events,
        secondary_malignancy: input.secondary_malignancy,
        notes: input
            .notes
            .map(|n| line(&n, "invalid_notes", "notes", 2000))
            .transpose()?,
    }))
}
