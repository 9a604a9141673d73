-- Where the next entry goes, kept in the lock row by the database itself: every insert into
-- ledger_entries moves it (also an insert made around the appender), and the statement that
-- takes the append lock returns it, so an append needs no search of ledger_entries for the
-- head. The insert guards still check every row against the entries themselves.
ALTER TABLE ledger_head
    ADD COLUMN next_seq BIGINT NOT NULL DEFAULT 0 CHECK (next_seq >= 0),
    ADD COLUMN head_hash BYTEA NOT NULL DEFAULT decode(repeat('00', 32), 'hex')
        CHECK (length(head_hash) = 32);

UPDATE ledger_head SET
    next_seq = coalesce((SELECT max(seq) + 1 FROM ledger_entries), 0),
    head_hash = coalesce((SELECT hash FROM ledger_entries ORDER BY seq DESC LIMIT 1),
                         decode(repeat('00', 32), 'hex'))
WHERE id = 1;

CREATE FUNCTION cartrec_ledger_head_follows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_head SET next_seq = NEW.seq + 1, head_hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER ledger_entries_head_follows
    AFTER INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION cartrec_ledger_head_follows();
-- Fire even under session_replication_role = replica, like the guards.
ALTER TABLE ledger_entries ENABLE ALWAYS TRIGGER ledger_entries_head_follows;
