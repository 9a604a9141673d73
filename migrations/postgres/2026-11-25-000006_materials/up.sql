-- Projections of the lot/<id> and equipment/<id> streams, for lists and pickers. Rebuilt
-- from the ledger by `cartrec rebuild-projections`; `cartrec verify` checks they equal it.
CREATE TABLE lots (
    lot_id      TEXT PRIMARY KEY NOT NULL,
    material    TEXT NOT NULL,
    lot_number  TEXT NOT NULL,
    supplier    TEXT NOT NULL,
    expiry      TEXT NOT NULL,
    certificate TEXT,
    status      TEXT NOT NULL
);
CREATE INDEX lots_by_material ON lots (material, status);

CREATE TABLE equipment (
    equipment_id    TEXT PRIMARY KEY NOT NULL,
    equipment_kind  TEXT NOT NULL,
    calibration_due TEXT NOT NULL,
    last_calibrated TEXT
);
