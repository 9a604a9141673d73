-- Projection of the template/<code> streams: every version and its status, for lists.
-- The template text itself stays in the ledger (template.imported), exactly as imported.
CREATE TABLE templates (
    code          TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    source_sha256 TEXT    NOT NULL,
    imported_by   TEXT    NOT NULL,
    approved_by   TEXT,
    PRIMARY KEY (code, version)
);
