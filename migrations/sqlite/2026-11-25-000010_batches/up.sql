-- Projections of the batch/<number> streams: the batch list and the verifications waiting
-- for a second person. Recomputed from the stream on every write to it, and rebuilt from the
-- ledger by rebuild-projections.
CREATE TABLE batches (
    batch_number     TEXT    PRIMARY KEY NOT NULL,
    coi              TEXT    NOT NULL UNIQUE,
    template_code    TEXT    NOT NULL,
    template_version INTEGER NOT NULL,
    patient_code     TEXT    NOT NULL,
    treating_site    TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    open_deviations  INTEGER NOT NULL,
    position         BIGINT  NOT NULL
);
CREATE INDEX batches_by_state ON batches (state);

CREATE TABLE pending_verifications (
    batch_number TEXT    NOT NULL,
    step_id      TEXT    NOT NULL,
    record       INTEGER NOT NULL,
    role         TEXT    NOT NULL,
    performed_by TEXT    NOT NULL,
    PRIMARY KEY (batch_number, step_id, record)
);
