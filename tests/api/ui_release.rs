//! After manufacturing in a real browser: the QP reviews a batch by exception and releases it
//! with a signature (after a refusal while QC was incomplete), an operator ships it, the ward
//! receives it, the bedside check with the wrong wristband stops everything on a full screen
//! (and the record shows the mismatch), the right one passes with a second clinician's
//! witness, the infusion and a follow-up visit are recorded. The API then says so.

use serde_json::Value;

use crate::browser::{browser, Browser};
use crate::helpers::{spawn_app, TestUser};
use crate::release_support::{
    batch_entries, expect_status, manufactured, new_batch, qc_result, qc_verify, team, view,
    PASSING,
};

/// Signs the form on the page with `who`'s password.
pub(crate) async fn sign(b: &Browser, who: &TestUser) {
    b.type_into("#password", &who.password).await;
    b.click("#sign").await;
}

/// The page is back on the batch record, or the refusal it shows instead.
pub(crate) async fn on_batch_page(b: &Browser, batch: &str) {
    if b.path().await != format!("/batches/{batch}") {
        let source = b.client.source().await.unwrap_or_default();
        panic!("not signed: on {}\n{source}", b.path().await);
    }
}

#[tokio::test]
async fn the_qp_releases_the_operator_ships_and_the_ward_checks_infuses_and_follows_up() {
    let app = spawn_app().await;
    let Some(b) = browser(&app.address).await else {
        return;
    };
    let team = team(&app).await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    let (batch, coi) = manufactured(&app, &team).await;
    for (test_id, result) in PASSING {
        let recorded = qc_result(&app, &team.qc1, &batch, test_id, result, None).await;
        expect_status(recorded, 201, test_id).await;
        if test_id != "rcl" {
            expect_status(
                qc_verify(&app, &team.qc2, &batch, test_id).await,
                200,
                test_id,
            )
            .await;
        }
    }

    // The QP: QC is not complete, so the review says why and a release is refused readably.
    b.log_in(&team.qp.username, &team.qp.password).await;
    b.open(&format!("/batches/{batch}/review")).await;
    assert!(
        b.text("#review-reasons").await.contains("rcl"),
        "the review names what stops release"
    );
    assert!(!b.has("#decide-released").await, "release is not offered");
    b.open(&format!("/batches/{batch}/release/released")).await;
    sign(&b, &team.qp).await;
    let refusal = b.text("#form-error").await;
    assert!(refusal.contains("QC"), "refused readably: {refusal}");
    expect_status(qc_verify(&app, &team.qc2, &batch, "rcl").await, 200, "rcl").await;

    b.open("/").await;
    assert!(
        b.text("#awaiting-release-heading + table")
            .await
            .contains(&batch),
        "on the QP's work list"
    );
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-review").await;
    assert!(b.has("#review-ready").await);
    assert!(b.has("#whole-record").await && b.has("#printable-record").await);
    b.assert_accessible().await;
    b.screenshot("release-review").await;
    b.click("#decide-released").await;
    assert!(b.text("#meaning").await.contains("Released"));
    assert!(b.text("#signer").await.starts_with("Test Person"));
    b.assert_accessible().await;
    b.screenshot("release-sign").await;
    b.type_into("#password", "not the password").await;
    b.click("#sign").await;
    assert!(
        b.has("#password-error").await,
        "a wrong password at the password"
    );
    sign(&b, &team.qp).await;
    assert!(b.text("#decided").await.contains("Released"));
    let released = view(&app, &team.qp, &batch).await;
    assert_eq!(released["state"], "released");
    assert_eq!(released["release"]["decided_by"], team.qp.username.as_str());
    b.open(&format!("/batches/{batch}/record.html")).await;
    assert!(
        b.text("body").await.contains(&batch),
        "the printable record"
    );
    b.open("/").await;
    b.log_out().await;

    // The operator dispatches it.
    let op = &team.site.op1;
    b.log_in(&op.username, &op.password).await;
    assert!(b.text("#to-ship-heading + table").await.contains(&batch));
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-ship").await;
    b.assert_accessible().await;
    b.type_into("#shipper_id", "Cryoport").await;
    b.type_into("#container_id", "DRY-SHIPPER-0042").await;
    b.type_into("#logger_id", "LOG-7781").await;
    sign(&b, op).await;
    on_batch_page(&b, &batch).await;
    let shipped = view(&app, op, &batch).await;
    assert_eq!(shipped["state"], "shipped");
    assert_eq!(shipped["shipments"][0]["logger_id"], "LOG-7781");
    b.log_out().await;

    receive_on_the_ward(&b, &team.cl1, &batch).await;
    let (_, other) = new_batch(&app, &team).await;
    let stopped = wrong_wristband(&b, &team.cl1, &batch, (&coi, &other)).await;
    assert_eq!(stopped, other);
    let after = view(&app, &team.cl1, &batch).await;
    assert_eq!(after["coi_mismatches"], 1, "{after}");
    assert_eq!(after["bedside_checks"], Value::Array(vec![]));
    let mismatches: Vec<Value> = batch_entries(&app, &auditor, &batch)
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "batch.coi_mismatch")
        .map(|(_, payload)| payload)
        .collect();
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0]["presented"], other.as_str());
    assert_eq!(mismatches[0]["source"], "patient wristband");

    bedside_passes(&b, &team, &batch, &coi).await;
    let checked = view(&app, &team.cl1, &batch).await;
    let check = &checked["bedside_checks"][0];
    assert_eq!(check["performed_by"], team.cl1.username.as_str());
    assert_eq!(check["witnessed_by"], team.cl2.username.as_str());
    assert_eq!(check["passed"], true);

    infusion_and_follow_up(&b, &team.cl2, &batch).await;
    let done = view(&app, &team.cl2, &batch).await;
    assert_eq!(done["state"], "infused");
    assert_eq!(done["infusion"]["bags"], 2);
    assert_eq!(done["infusion"]["recorded_by"], team.cl2.username.as_str());
    let visit = &done["follow_ups"][0];
    assert_eq!(visit["disease_status"], "complete remission");
    assert_eq!(
        visit["adverse_events"][0]["term"],
        "cytokine release syndrome"
    );
    assert_eq!(visit["adverse_events"][0]["grade"], 2);
    assert_eq!(visit["secondary_malignancy"], false);
}

/// The first clinician finds the batch on the ward's list and receives it.
pub(crate) async fn receive_on_the_ward(b: &Browser, who: &TestUser, batch: &str) {
    b.log_in(&who.username, &who.password).await;
    assert!(b.text("#on-the-ward-heading + table").await.contains(batch));
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-receive").await;
    b.assert_accessible().await;
    b.type_into("#min_temperature_c", "-185.5").await;
    b.type_into("#max_temperature_c", "-160.5").await;
    b.tick("#container_intact-yes").await;
    sign(b, who).await;
    on_batch_page(b, batch).await;
    assert!(b.has("#next-bedside").await);
}

/// Scans the bag, then the wristband, as a scanner does (each ends with Enter): the first
/// Enter only moves on to the wristband, the second to the password; then signs.
async fn scan_both(b: &Browser, who: &TestUser, (product, wristband): (&str, &str)) {
    b.scan_into("#product_coi", product).await;
    let kept = b
        .find("#product_coi")
        .await
        .prop("value")
        .await
        .ok()
        .flatten();
    assert_eq!(kept.as_deref(), Some(product), "the bag's reading is kept");
    assert!(
        b.has("#patient_coi[autofocus]").await,
        "the Enter after the bag moves on to the wristband"
    );
    b.scan_into("#patient_coi", wristband).await;
    assert!(b.has("#password[autofocus]").await, "then to the password");
    sign(b, who).await;
}

/// Another patient's wristband: the full-screen stop. Returns the wristband it shows.
pub(crate) async fn wrong_wristband(
    b: &Browser,
    who: &TestUser,
    batch: &str,
    coi: (&str, &str),
) -> String {
    b.open(&format!("/batches/{batch}")).await;
    b.click("#next-bedside").await;
    assert!(b.text("#meaning").await.contains("Performed"));
    b.assert_accessible().await;
    b.screenshot("bedside-check").await;
    scan_both(b, who, coi).await;
    assert!(
        b.has("#bedside-stop[role='alert']").await,
        "a mismatch stops on a full screen"
    );
    assert!(b.text("#stop-heading").await.contains("DO NOT INFUSE"));
    b.assert_accessible().await;
    b.screenshot("bedside-stop").await;
    b.text("#stop-wristband").await
}

/// The right bag and wristband, read by the first clinician and witnessed by the second.
pub(crate) async fn bedside_passes(
    b: &Browser,
    team: &crate::release_support::Team,
    batch: &str,
    coi: &str,
) {
    b.click("#new-check").await;
    scan_both(b, &team.cl1, (coi, coi)).await;
    on_batch_page(b, batch).await;
    b.log_out().await;
    b.log_in(&team.cl2.username, &team.cl2.password).await;
    b.open(&format!("/batches/{batch}/bedside")).await;
    assert!(b.text("#meaning").await.contains("Witnessed"));
    scan_both(b, &team.cl2, (coi, coi)).await;
    on_batch_page(b, batch).await;
}

pub(crate) async fn infusion_and_follow_up(b: &Browser, who: &TestUser, batch: &str) {
    b.click("#next-infusion").await;
    b.type_into("#bags", "2").await;
    b.type_into("#dose_car_t_per_kg", "1.0e6").await;
    b.type_into("#premedication", "paracetamol 15 mg/kg").await;
    b.type_into("#immediate_reactions", "none").await;
    b.assert_accessible().await;
    b.screenshot("infusion").await;
    sign(b, who).await;
    on_batch_page(b, batch).await;
    b.click("#next-follow-up").await;
    b.type_into("#disease_status", "complete remission").await;
    b.type_into("#immunosuppression", "none").await;
    b.type_into("#adverse_events", "cytokine release syndrome; 2")
        .await;
    b.tick("#secondary_malignancy-no").await;
    b.assert_accessible().await;
    b.screenshot("follow-up").await;
    sign(b, who).await;
    on_batch_page(b, batch).await;
}
