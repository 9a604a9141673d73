//! The part of the batch record that follows manufacturing, as people read it: QC results
//! with their verdicts, the physician's request, the QP's decision, custody, the bedside
//! checks, the infusion and the follow-up visits, each with its signatures.

use std::collections::BTreeMap;

use serde::Serialize;

use super::view::Manifestation;
use crate::domain::batch::{AdverseEvent, Attribution, Batch, OosResult, QcResult, Verdict};

#[derive(Serialize, utoipa::ToSchema)]
pub struct AfterManufacturing {
    pub qc_results: Vec<QcResultView>,
    pub physician_requests: Vec<PhysicianRequestView>,
    pub release: Option<ReleaseView>,
    pub shipments: Vec<ShipmentView>,
    pub bedside_checks: Vec<BedsideCheckView>,
    pub infusion: Option<InfusionView>,
    pub follow_ups: Vec<FollowUpView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct QcResultView {
    pub test_id: String,
    pub attempt: u32,
    pub result: String,
    pub specification: String,
    pub verdict: Verdict,
    pub comment: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub seq: i64,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    /// The latest attempt of its test: the one that counts.
    pub current: bool,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PhysicianRequestView {
    pub reason: String,
    pub risk_acknowledged: bool,
    /// The results the physician was told of.
    pub oos_results: Vec<OosResult>,
    pub requested_by: String,
    pub requested_at: String,
    pub seq: i64,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReleaseView {
    #[schema(value_type = String)]
    pub decision: &'static str,
    pub justification: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
    pub seq: i64,
    pub physician_request_seq: Option<i64>,
    pub oos_results: Vec<OosResult>,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ShipmentView {
    pub shipment_id: u32,
    pub shipper_id: String,
    pub container_id: String,
    pub logger_id: String,
    pub dispatched_at: String,
    pub dispatched_by: String,
    pub seq: i64,
    pub signatures: Vec<Manifestation>,
    pub receipt: Option<ReceiptView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReceiptView {
    pub received_at: String,
    pub min_temperature_c: String,
    pub max_temperature_c: String,
    pub limit_c: String,
    pub container_intact: bool,
    pub excursion: bool,
    /// The deviation the receipt raised, which blocks infusion until QA closes it.
    pub deviation_id: Option<u32>,
    pub received_by: String,
    pub seq: i64,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BedsideCheckView {
    pub check_id: u32,
    pub product_coi: String,
    pub patient_coi: String,
    pub performed_by: String,
    pub performed_at: String,
    pub seq: i64,
    pub witnessed_by: Option<String>,
    pub witnessed_at: Option<String>,
    /// Witnessed by a second clinician, with no mismatch recorded since.
    pub passed: bool,
    /// Made by one clinician and waiting for a second one's witness (no mismatch since).
    pub awaiting_witness: bool,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct InfusionView {
    pub thaw_started_at: String,
    pub infusion_started_at: String,
    pub infusion_ended_at: String,
    pub bags: u32,
    pub dose_car_t_per_kg: String,
    pub premedication: String,
    pub immediate_reactions: String,
    pub bedside_check_id: u32,
    pub recorded_by: String,
    pub recorded_at: String,
    pub seq: i64,
    pub signatures: Vec<Manifestation>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub visit: u32,
    pub visit_date: String,
    pub disease_status: String,
    pub immunosuppression: String,
    pub adverse_events: Vec<AdverseEvent>,
    pub secondary_malignancy: bool,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub seq: i64,
    pub signatures: Vec<Manifestation>,
}

type Signatures = BTreeMap<i64, Vec<Manifestation>>;

fn signed(signatures: &Signatures, seq: i64) -> Vec<Manifestation> {
    signatures.get(&seq).cloned().unwrap_or_default()
}

fn by(entry: &Attribution) -> (String, String, i64) {
    (entry.by.clone(), entry.at.clone(), entry.seq)
}

pub fn after_manufacturing(batch: &Batch, signatures: &Signatures) -> AfterManufacturing {
    AfterManufacturing {
        qc_results: batch
            .qc_results
            .iter()
            .map(|r| qc_result(batch, r, signatures))
            .collect(),
        physician_requests: batch
            .physician_requests
            .iter()
            .map(|r| {
                let (requested_by, requested_at, seq) = by(&r.entry);
                PhysicianRequestView {
                    reason: r.request.reason.clone(),
                    risk_acknowledged: r.request.risk_acknowledged,
                    oos_results: r.request.oos_results.clone(),
                    requested_by,
                    requested_at,
                    seq,
                    signatures: signed(signatures, seq),
                }
            })
            .collect(),
        release: batch.release.as_ref().map(|r| {
            let (decided_by, decided_at, seq) = by(&r.entry);
            ReleaseView {
                decision: r.decided.decision.as_str(),
                justification: r.decided.justification.clone(),
                decided_by,
                decided_at,
                seq,
                physician_request_seq: r.decided.physician_request_seq,
                oos_results: r.decided.oos_results.clone(),
                signatures: signed(signatures, seq),
            }
        }),
        shipments: batch
            .shipments
            .iter()
            .map(|s| {
                let (dispatched_by, _, seq) = by(&s.entry);
                let d = &s.dispatched;
                ShipmentView {
                    shipment_id: d.shipment_id,
                    shipper_id: d.shipper_id.clone(),
                    container_id: d.container_id.clone(),
                    logger_id: d.logger_id.clone(),
                    dispatched_at: d.dispatched_at.to_rfc3339(),
                    dispatched_by,
                    seq,
                    signatures: signed(signatures, seq),
                    receipt: s.receipt.as_ref().map(|(r, entry)| ReceiptView {
                        received_at: r.received_at.to_rfc3339(),
                        min_temperature_c: r.min_temperature_c.to_string(),
                        max_temperature_c: r.max_temperature_c.to_string(),
                        limit_c: r.limit_c.to_string(),
                        container_intact: r.container_intact,
                        excursion: r.excursion,
                        deviation_id: r.deviation_id,
                        received_by: entry.by.clone(),
                        seq: entry.seq,
                        signatures: signed(signatures, entry.seq),
                    }),
                }
            })
            .collect(),
        bedside_checks: batch
            .bedside_checks
            .iter()
            .map(|c| {
                let (performed_by, performed_at, seq) = by(&c.entry);
                let mut all = signed(signatures, seq);
                if let Some(witness) = &c.witnessed {
                    all.extend(signed(signatures, witness.seq));
                }
                BedsideCheckView {
                    check_id: c.check.check_id,
                    product_coi: c.check.product_coi.clone(),
                    patient_coi: c.check.patient_coi.clone(),
                    performed_by,
                    performed_at,
                    seq,
                    witnessed_by: c.witnessed.as_ref().map(|w| w.by.clone()),
                    witnessed_at: c.witnessed.as_ref().map(|w| w.at.clone()),
                    passed: c.passed(),
                    awaiting_witness: c.awaits_witness(),
                    signatures: all,
                }
            })
            .collect(),
        infusion: batch.infusion.as_ref().map(|i| {
            let (recorded_by, recorded_at, seq) = by(&i.entry);
            let f = &i.infused;
            InfusionView {
                thaw_started_at: f.thaw_started_at.to_rfc3339(),
                infusion_started_at: f.infusion_started_at.to_rfc3339(),
                infusion_ended_at: f.infusion_ended_at.to_rfc3339(),
                bags: f.bags,
                dose_car_t_per_kg: f.dose_car_t_per_kg.to_string(),
                premedication: f.premedication.clone(),
                immediate_reactions: f.immediate_reactions.clone(),
                bedside_check_id: f.bedside_check_id,
                recorded_by,
                recorded_at,
                seq,
                signatures: signed(signatures, seq),
            }
        }),
        follow_ups: batch
            .follow_ups
            .iter()
            .map(|v| {
                let (recorded_by, recorded_at, seq) = by(&v.entry);
                let f = &v.visit;
                FollowUpView {
                    visit: f.visit,
                    visit_date: f.visit_date.to_string(),
                    disease_status: f.disease_status.clone(),
                    immunosuppression: f.immunosuppression.clone(),
                    adverse_events: f.adverse_events.clone(),
                    secondary_malignancy: f.secondary_malignancy,
                    notes: f.notes.clone(),
                    recorded_by,
                    recorded_at,
                    seq,
                    signatures: signed(signatures, seq),
                }
            })
            .collect(),
    }
}

fn qc_result(batch: &Batch, r: &QcResult, signatures: &Signatures) -> QcResultView {
    let current = batch
        .current_qc_result(&r.recorded.test_id)
        .is_some_and(|c| c.entry.seq == r.entry.seq);
    let (recorded_by, recorded_at, seq) = by(&r.entry);
    QcResultView {
        test_id: r.recorded.test_id.clone(),
        attempt: r.recorded.attempt,
        result: r.recorded.result.clone(),
        specification: r.recorded.specification.clone(),
        verdict: r.recorded.verdict,
        comment: r.recorded.comment.clone(),
        recorded_by,
        recorded_at,
        seq,
        verified_by: r.verified.as_ref().map(|v| v.by.clone()),
        verified_at: r.verified.as_ref().map(|v| v.at.clone()),
        current,
        signatures: signed(signatures, seq),
    }
}
