-- The ledger: one row per event, append-only, hash-chained (see ../shared/design/ledger.md).
CREATE TABLE ledger_entries (
    seq              BIGINT  PRIMARY KEY NOT NULL CHECK (seq >= 0),
    v                INTEGER NOT NULL CHECK (v = 1),
    stream           TEXT    NOT NULL,
    stream_seq       BIGINT  NOT NULL CHECK (stream_seq >= 0),
    kind             TEXT    NOT NULL,
    actor            TEXT    NOT NULL,
    recorded_at      TEXT    NOT NULL,
    payload_sha256   TEXT    NOT NULL CHECK (length(payload_sha256) = 64),
    prev_hash        BLOB    NOT NULL UNIQUE CHECK (length(prev_hash) = 32),
    stream_prev_hash BLOB    NOT NULL CHECK (length(stream_prev_hash) = 32),
    hash             BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    entry_bytes      BLOB    NOT NULL,
    payload_bytes    BLOB    NOT NULL,
    UNIQUE (stream, stream_seq)
);

-- One row whose write lock serializes appends: every append transaction updates it first,
-- which on SQLite takes the database write lock before anything is read.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1)
);
INSERT INTO ledger_head (id) VALUES (1);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE refused');
END;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: DELETE refused');
END;

CREATE TRIGGER ledger_head_no_delete BEFORE DELETE ON ledger_head
BEGIN
    SELECT RAISE(ABORT, 'ledger_head must keep its row');
END;
