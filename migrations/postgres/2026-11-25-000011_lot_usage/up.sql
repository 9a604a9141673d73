-- Projection of the batch/<number> streams for recall: every material lot a batch's steps
-- name, one row per field that names it (in a step record or in a correction of one), with
-- the ledger entry that does. Recomputed with the batch row on every write to the stream,
-- and rebuilt from the ledger by rebuild-projections.
CREATE TABLE lot_usage (
    lot_id       TEXT    NOT NULL,
    batch_number TEXT    NOT NULL,
    step_id      TEXT    NOT NULL,
    record       INTEGER NOT NULL,
    field_id     TEXT    NOT NULL,
    seq          BIGINT  NOT NULL,
    PRIMARY KEY (batch_number, seq, field_id)
);
CREATE INDEX lot_usage_by_lot ON lot_usage (lot_id);
