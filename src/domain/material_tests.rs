use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn lot(status: LotStatus) -> Lot {
    let LotEvent::Registered(registered) = register_lot(
        "L000001".into(),
        "lentiviral_vector",
        "LV-2026-17",
        "Vector Supplier GmbH",
        day("2026-12-31"),
        None,
    )
    .expect("valid") else {
        unreachable!()
    };
    Lot { registered, status }
}

/// Covers: GMP-MAT-1
#[test]
fn only_a_released_unexpired_lot_of_the_named_material_is_usable() {
    let check = |lot: Option<&Lot>, material: &str, on: &str| {
        check_lot_usable(lot, "L000001", material, day(on), "vector_lot").map_err(|e| e.code)
    };
    let released = lot(LotStatus::Released);
    assert_eq!(
        check(Some(&released), "lentiviral_vector", "2026-12-31"),
        Ok(())
    );
    assert_eq!(
        check(Some(&released), "lentiviral_vector", "2027-01-01"),
        Err("lot_expired")
    );
    assert_eq!(
        check(Some(&released), "cytokine", "2026-12-01"),
        Err("lot_wrong_material")
    );
    assert_eq!(
        check(
            Some(&lot(LotStatus::Quarantine)),
            "lentiviral_vector",
            "2026-12-01"
        ),
        Err("lot_in_quarantine")
    );
    assert_eq!(
        check(
            Some(&lot(LotStatus::Rejected)),
            "lentiviral_vector",
            "2026-12-01"
        ),
        Err("lot_rejected")
    );
    assert_eq!(
        check(None, "lentiviral_vector", "2026-12-01"),
        Err("lot_unknown")
    );
    let refused =
        check_lot_usable(None, "L9", "x", day("2026-01-01"), "vector_lot").expect_err("refused");
    assert!(
        refused.message.starts_with("vector_lot: "),
        "{}",
        refused.message
    );
}

/// Covers: GMP-MAT-3
#[test]
fn qa_releases_from_quarantine_and_rejects_also_after_release() {
    assert!(matches!(
        decide_lot(&lot(LotStatus::Quarantine), true, ""),
        Ok(LotEvent::Released(_))
    ));
    assert!(matches!(
        decide_lot(&lot(LotStatus::Released), false, "supplier recall"),
        Ok(LotEvent::Rejected(_))
    ));
    assert_eq!(
        decide_lot(&lot(LotStatus::Released), true, "")
            .expect_err("refused")
            .code,
        "lot_status"
    );
    assert_eq!(
        decide_lot(&lot(LotStatus::Rejected), false, "again")
            .expect_err("refused")
            .code,
        "lot_status"
    );
    assert_eq!(
        decide_lot(&lot(LotStatus::Quarantine), false, " ")
            .expect_err("refused")
            .code,
        "invalid_reason"
    );
}

/// Covers: GMP-MAT-2
#[test]
fn equipment_past_its_calibration_date_is_refused() {
    let registered = Equipment {
        equipment_id: "PRODIGY-01".into(),
        equipment_kind: "automated cell processor".into(),
        calibration_due: day("2026-12-01"),
        last_calibrated: None,
    };
    let check = |on: &str| {
        check_equipment_usable(Some(&registered), "PRODIGY-01", day(on), "system")
            .map_err(|e| e.code)
    };
    assert_eq!(check("2026-12-01"), Ok(()));
    assert_eq!(check("2026-12-02"), Err("equipment_out_of_calibration"));
    assert_eq!(
        check_equipment_usable(None, "X", day("2026-01-01"), "system").map_err(|e| e.code),
        Err("equipment_unknown")
    );
    assert_eq!(
        register_equipment(Some(&registered), "PRODIGY-01", "x", day("2027-01-01"))
            .expect_err("refused")
            .code,
        "equipment_exists"
    );
    assert!(calibrate(day("2026-11-25"), day("2027-11-25"), day("2026-11-25")).is_ok());
    assert!(calibrate(day("2026-11-26"), day("2027-11-25"), day("2026-11-25")).is_err());
    assert!(calibrate(day("2026-11-25"), day("2026-11-25"), day("2026-11-25")).is_err());
}

#[test]
fn materials_and_identifiers_are_plain() {
    assert!(material_name("culture_medium").is_ok());
    assert!(material_name("Culture Medium").is_err());
    assert!(identifier("LV-2026.17_a", "c", "x").is_ok());
    assert!(identifier("LV 17", "c", "x").is_err());
    assert!(identifier("", "c", "x").is_err());
}

#[test]
fn a_certificate_is_named_by_its_lowercase_hex_sha256() {
    let register = |certificate: &str| {
        register_lot(
            "L000002".into(),
            "cytokine",
            "IL2-1",
            "Supplier",
            day("2026-12-31"),
            Some(certificate.to_owned()),
        )
        .map(|_| ())
        .map_err(|e| e.code)
    };
    assert_eq!(register(&"ab".repeat(32)), Ok(()));
    for bad in [
        "AB".repeat(32),
        "ab".repeat(31),
        "zz".repeat(32),
        "ab".repeat(33),
    ] {
        assert_eq!(register(&bad), Err("invalid_attachment"), "{bad}");
    }
}
