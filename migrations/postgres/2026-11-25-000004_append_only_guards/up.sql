-- Append-only means an insert can only extend a table, never replace a row: refuse in the
-- database any row that is not the next link of the chain (see the SQLite migration of the same
-- name, where REPLACE made this urgent). Each check is one lookup in the primary key, a UNIQUE
-- index or the UNIQUE (stream, stream_seq) index, plus one SHA-256 of the entry bytes. The
-- appender already holds the ledger_head row lock, so the rows read here are the chain's head;
-- an insert racing it without the lock still meets the UNIQUE constraints.
CREATE FUNCTION cartrec_ledger_insert_extends() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    zero CONSTANT bytea := decode(repeat('00', 32), 'hex');
    next_seq bigint := 0;
    last_hash bytea := zero;
    next_stream_seq bigint := 0;
    stream_last_hash bytea := zero;
    reason text;
BEGIN
    SELECT seq + 1, hash INTO next_seq, last_hash
        FROM ledger_entries ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        next_seq := 0;
        last_hash := zero;
    END IF;
    SELECT stream_seq + 1, hash INTO next_stream_seq, stream_last_hash
        FROM ledger_entries WHERE stream = NEW.stream ORDER BY stream_seq DESC LIMIT 1;
    IF NOT FOUND THEN
        next_stream_seq := 0;
        stream_last_hash := zero;
    END IF;

    IF NEW.seq IS DISTINCT FROM next_seq THEN
        reason := 'seq is not the next';
    ELSIF NEW.prev_hash IS DISTINCT FROM last_hash
        OR EXISTS (SELECT 1 FROM ledger_entries WHERE prev_hash = NEW.prev_hash) THEN
        reason := 'prev_hash is not the hash of the last entry';
    ELSIF NEW.stream_seq IS DISTINCT FROM next_stream_seq THEN
        reason := 'stream_seq is not the next in its stream';
    ELSIF NEW.stream_prev_hash IS DISTINCT FROM stream_last_hash THEN
        reason := 'stream_prev_hash is not the hash of the stream''s last entry';
    ELSIF NEW.hash IS DISTINCT FROM sha256(decode('00', 'hex') || NEW.entry_bytes) THEN
        reason := 'hash is not SHA-256(0x00 || entry_bytes)';
    ELSIF EXISTS (SELECT 1 FROM ledger_entries WHERE hash = NEW.hash) THEN
        reason := 'hash already exists';
    END IF;

    IF reason IS NOT NULL THEN
        RAISE EXCEPTION 'ledger_entries is append-only: an insert must extend the ledger (%)',
            reason USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_entries_insert_extends
    BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION cartrec_ledger_insert_extends();
-- Its one row exists since the first migration.
CREATE TRIGGER ledger_head_no_insert
    BEFORE INSERT ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Projections of ledger events that are never changed: signatures and password history. An
-- insert that repeats a key is refused by name here, before ON CONFLICT could turn it into an
-- update or into nothing.
CREATE FUNCTION cartrec_signatures_insert_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM signatures
               WHERE signature_seq = NEW.signature_seq AND entry_seq = NEW.entry_seq)
        OR EXISTS (SELECT 1 FROM signatures
                   WHERE entry_hash = NEW.entry_hash AND signer = NEW.signer
                     AND meaning = NEW.meaning) THEN
        RAISE EXCEPTION 'signatures is append-only: an insert may not repeat an existing row'
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION cartrec_password_history_insert_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM password_history
               WHERE username = NEW.username AND set_at = NEW.set_at) THEN
        RAISE EXCEPTION 'password_history is append-only: an insert may not repeat an existing row'
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER signatures_insert_new
    BEFORE INSERT ON signatures
    FOR EACH ROW EXECUTE FUNCTION cartrec_signatures_insert_new();
CREATE TRIGGER signatures_no_update_delete
    BEFORE UPDATE OR DELETE ON signatures
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER signatures_no_truncate
    BEFORE TRUNCATE ON signatures
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER password_history_insert_new
    BEFORE INSERT ON password_history
    FOR EACH ROW EXECUTE FUNCTION cartrec_password_history_insert_new();
CREATE TRIGGER password_history_no_update_delete
    BEFORE UPDATE OR DELETE ON password_history
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER password_history_no_truncate
    BEFORE TRUNCATE ON password_history
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Fire even under session_replication_role = replica.
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_insert_extends;
ALTER TABLE ledger_head ENABLE ALWAYS TRIGGER ledger_head_no_insert;
ALTER TABLE signatures ENABLE ALWAYS TRIGGER signatures_insert_new;
ALTER TABLE signatures ENABLE ALWAYS TRIGGER signatures_no_update_delete;
ALTER TABLE signatures ENABLE ALWAYS TRIGGER signatures_no_truncate;
ALTER TABLE password_history ENABLE ALWAYS TRIGGER password_history_insert_new;
ALTER TABLE password_history ENABLE ALWAYS TRIGGER password_history_no_update_delete;
ALTER TABLE password_history ENABLE ALWAYS TRIGGER password_history_no_truncate;
