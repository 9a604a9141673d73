-- Append-only means an insert can only extend a table, never replace a row.
--
-- SQLite's REPLACE conflict resolution (REPLACE INTO, INSERT OR REPLACE, and a table's own
-- ON CONFLICT REPLACE) deletes the conflicting row without firing DELETE triggers, so the
-- UPDATE/DELETE triggers alone let an insert rewrite history. These BEFORE INSERT guards refuse
-- every row that is not the next link of the chain, so that no insert ever reaches a UNIQUE
-- conflict and no conflict clause (REPLACE, IGNORE, ABORT, FAIL, ROLLBACK, upsert) has a row to
-- delete or update. Each check is one lookup in the primary key, a UNIQUE index or the
-- UNIQUE (stream, stream_seq) index.

CREATE TRIGGER ledger_entries_insert_next_seq BEFORE INSERT ON ledger_entries
WHEN NEW.seq IS NOT (SELECT coalesce(max(seq) + 1, 0) FROM ledger_entries)
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: an insert must extend the ledger (seq is not the next)');
END;

CREATE TRIGGER ledger_entries_insert_prev_hash BEFORE INSERT ON ledger_entries
WHEN NEW.prev_hash IS NOT coalesce(
        (SELECT hash FROM ledger_entries ORDER BY seq DESC LIMIT 1), zeroblob(32))
    OR EXISTS (SELECT 1 FROM ledger_entries WHERE prev_hash = NEW.prev_hash)
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: an insert must extend the ledger (prev_hash is not the hash of the last entry)');
END;

CREATE TRIGGER ledger_entries_insert_stream_seq BEFORE INSERT ON ledger_entries
WHEN NEW.stream_seq IS NOT coalesce(
        (SELECT stream_seq + 1 FROM ledger_entries WHERE stream = NEW.stream
         ORDER BY stream_seq DESC LIMIT 1),
        0)
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: an insert must extend the ledger (stream_seq is not the next in its stream)');
END;

CREATE TRIGGER ledger_entries_insert_stream_prev_hash BEFORE INSERT ON ledger_entries
WHEN NEW.stream_prev_hash IS NOT coalesce(
        (SELECT hash FROM ledger_entries WHERE stream = NEW.stream
         ORDER BY stream_seq DESC LIMIT 1),
        zeroblob(32))
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: an insert must extend the ledger (stream_prev_hash is not the hash of the stream''s last entry)');
END;

CREATE TRIGGER ledger_entries_insert_new_hash BEFORE INSERT ON ledger_entries
WHEN EXISTS (SELECT 1 FROM ledger_entries WHERE hash = NEW.hash)
BEGIN
    SELECT RAISE(ABORT, 'ledger_entries is append-only: an insert must extend the ledger (hash already exists)');
END;

-- The one row of ledger_head exists since the first migration (and its CHECK keeps it id 1);
-- a REPLACE of it would be an insert.
CREATE TRIGGER ledger_head_no_insert BEFORE INSERT ON ledger_head
BEGIN
    SELECT RAISE(ABORT, 'ledger_head is append-only: INSERT refused');
END;

-- Projections of ledger events that are never changed: signatures and password history.
CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures is append-only: UPDATE refused');
END;

CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures is append-only: DELETE refused');
END;

CREATE TRIGGER signatures_insert_new BEFORE INSERT ON signatures
WHEN EXISTS (SELECT 1 FROM signatures
             WHERE signature_seq = NEW.signature_seq AND entry_seq = NEW.entry_seq)
    OR EXISTS (SELECT 1 FROM signatures
               WHERE entry_hash = NEW.entry_hash AND signer = NEW.signer
                 AND meaning = NEW.meaning)
BEGIN
    SELECT RAISE(ABORT, 'signatures is append-only: an insert may not repeat an existing row');
END;

CREATE TRIGGER password_history_no_update BEFORE UPDATE ON password_history
BEGIN
    SELECT RAISE(ABORT, 'password_history is append-only: UPDATE refused');
END;

CREATE TRIGGER password_history_no_delete BEFORE DELETE ON password_history
BEGIN
    SELECT RAISE(ABORT, 'password_history is append-only: DELETE refused');
END;

CREATE TRIGGER password_history_insert_new BEFORE INSERT ON password_history
WHEN EXISTS (SELECT 1 FROM password_history
             WHERE username = NEW.username AND set_at = NEW.set_at)
BEGIN
    SELECT RAISE(ABORT, 'password_history is append-only: an insert may not repeat an existing row');
END;
