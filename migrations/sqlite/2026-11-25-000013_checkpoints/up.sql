-- Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, see ../shared/design/ledger.md):
-- every tree head the server signed, append-only. Each is also written to `checkpoint_dir`,
-- outside the database, where a rolled-back or rewritten database cannot reach it.
CREATE TABLE checkpoints (
    size      BIGINT PRIMARY KEY CHECK (size >= 1),
    root_hash BLOB   NOT NULL CHECK (length(root_hash) = 32),
    note      TEXT   NOT NULL,
    signed_at TEXT   NOT NULL
);

-- Only ever larger than the last one, so no insert reaches a key conflict and no conflict
-- clause (REPLACE, IGNORE, upsert) has a row to replace.
CREATE TRIGGER checkpoints_insert_grows BEFORE INSERT ON checkpoints
WHEN NEW.size <= (SELECT coalesce(max(size), 0) FROM checkpoints)
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: a checkpoint must cover more entries than the last');
END;

CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: UPDATE refused');
END;

CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'checkpoints is append-only: DELETE refused');
END;
