-- Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, see ../shared/design/ledger.md):
-- every tree head the server signed, append-only. Each is also written to `checkpoint_dir`,
-- outside the database, where a rolled-back or rewritten database cannot reach it.
CREATE TABLE checkpoints (
    size      BIGINT PRIMARY KEY CHECK (size >= 1),
    root_hash BYTEA  NOT NULL CHECK (octet_length(root_hash) = 32),
    note      TEXT   NOT NULL,
    signed_at TEXT   NOT NULL
);

-- Only ever larger than the last one, so no insert reaches a key conflict and no
-- ON CONFLICT clause has a row to replace.
CREATE FUNCTION cartrec_checkpoint_insert_grows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size <= (SELECT coalesce(max(size), 0) FROM checkpoints) THEN
        RAISE EXCEPTION 'checkpoints is append-only: a checkpoint must cover more entries than the last';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER checkpoints_insert_grows
    BEFORE INSERT ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION cartrec_checkpoint_insert_grows();
CREATE TRIGGER checkpoints_no_update_delete
    BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER checkpoints_no_truncate
    BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Fire even under session_replication_role = replica.
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_insert_grows;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_no_update_delete;
ALTER TABLE checkpoints ENABLE ALWAYS TRIGGER checkpoints_no_truncate;
