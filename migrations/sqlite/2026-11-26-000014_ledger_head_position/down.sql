DROP TRIGGER ledger_entries_head_follows;
ALTER TABLE ledger_head DROP COLUMN head_hash;
ALTER TABLE ledger_head DROP COLUMN next_seq;
