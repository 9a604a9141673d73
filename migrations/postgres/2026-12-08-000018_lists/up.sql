-- Projections of the batch/<number> streams for QA's lists across batches: the deviations
-- still open and the corrections waiting for a second person's verification or QA's
-- approval, one row each, with what the lists show. Written with the events that change
-- them (a write writes the rows that changed), and rebuilt from the ledger by
-- rebuild-projections, so that QA's home page reads rows instead of folding every batch.
CREATE TABLE open_deviation_rows (
    batch_number   TEXT    NOT NULL,
    deviation_id   INTEGER NOT NULL,
    description    TEXT    NOT NULL,
    automatic      BOOLEAN NOT NULL,
    step_title     TEXT,
    raised_by      TEXT    NOT NULL,
    raised_at      TEXT    NOT NULL,
    classification TEXT,
    seq            BIGINT  NOT NULL,
    PRIMARY KEY (batch_number, deviation_id)
);
CREATE INDEX open_deviation_rows_by_seq ON open_deviation_rows (seq);

CREATE TABLE waiting_correction_rows (
    batch_number  TEXT    NOT NULL,
    correction_id INTEGER NOT NULL,
    step_title    TEXT    NOT NULL,
    record        INTEGER NOT NULL,
    field_label   TEXT    NOT NULL,
    -- The field's type as the template names it (`number`, `datetime`, ...) and its unit:
    -- how the page shows the values.
    field_kind    TEXT    NOT NULL,
    unit          TEXT,
    -- The value before and after, as the ledger holds them (JSON).
    previous      TEXT,
    value         TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    corrected_by  TEXT    NOT NULL,
    corrected_at  TEXT    NOT NULL,
    -- `awaiting verification` or `awaiting approval`.
    status        TEXT    NOT NULL,
    seq           BIGINT  NOT NULL,
    PRIMARY KEY (batch_number, correction_id)
);
CREATE INDEX waiting_correction_rows_by_seq ON waiting_correction_rows (seq);

-- When each batch was started, for the batch list's date filter; filled by the rebuild that
-- follows this migration.
ALTER TABLE batches ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
CREATE INDEX batches_by_created_at ON batches (created_at);
CREATE INDEX batches_by_treating_site ON batches (treating_site);
