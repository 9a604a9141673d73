-- The ledger: one row per event, append-only, hash-chained (see ../shared/design/ledger.md).
CREATE TABLE ledger_entries (
    seq              BIGINT  PRIMARY KEY CHECK (seq >= 0),
    v                INTEGER NOT NULL CHECK (v = 1),
    stream           TEXT    NOT NULL,
    stream_seq       BIGINT  NOT NULL CHECK (stream_seq >= 0),
    kind             TEXT    NOT NULL,
    actor            TEXT    NOT NULL,
    recorded_at      TEXT    NOT NULL,
    payload_sha256   TEXT    NOT NULL CHECK (length(payload_sha256) = 64),
    prev_hash        BYTEA   NOT NULL UNIQUE CHECK (length(prev_hash) = 32),
    stream_prev_hash BYTEA   NOT NULL CHECK (length(stream_prev_hash) = 32),
    hash             BYTEA   NOT NULL UNIQUE CHECK (length(hash) = 32),
    entry_bytes      BYTEA   NOT NULL,
    payload_bytes    BYTEA   NOT NULL,
    UNIQUE (stream, stream_seq)
);

-- One row whose row lock serializes appends across every connection, process and app instance.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO ledger_head (id) VALUES (1);

CREATE FUNCTION cartrec_refuse_ledger_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER ledger_head_no_delete
    BEFORE DELETE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER ledger_head_no_truncate
    BEFORE TRUNCATE ON ledger_head
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Fire even under session_replication_role = replica.
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_no_update_delete;
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_no_truncate;
ALTER TABLE ledger_head ENABLE ALWAYS TRIGGER ledger_head_no_delete;
ALTER TABLE ledger_head ENABLE ALWAYS TRIGGER ledger_head_no_truncate;
