-- Where the next entry goes, kept in the lock row by the database itself: every insert into
-- ledger_entries moves it (also an insert made around the appender), and the statement that
-- takes the append lock returns it, so an append needs no search of ledger_entries for the
-- head. The insert guards still check every row against the entries themselves.
ALTER TABLE ledger_head ADD COLUMN next_seq BIGINT NOT NULL DEFAULT 0 CHECK (next_seq >= 0);
ALTER TABLE ledger_head ADD COLUMN head_hash BLOB NOT NULL
    DEFAULT X'0000000000000000000000000000000000000000000000000000000000000000'
    CHECK (length(head_hash) = 32);

UPDATE ledger_head SET
    next_seq = coalesce((SELECT max(seq) + 1 FROM ledger_entries), 0),
    head_hash = coalesce((SELECT hash FROM ledger_entries ORDER BY seq DESC LIMIT 1), zeroblob(32))
WHERE id = 1;

CREATE TRIGGER ledger_entries_head_follows AFTER INSERT ON ledger_entries
BEGIN
    UPDATE ledger_head SET next_seq = NEW.seq + 1, head_hash = NEW.hash WHERE id = 1;
END;
