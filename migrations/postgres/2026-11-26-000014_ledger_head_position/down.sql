DROP TRIGGER ledger_entries_head_follows ON ledger_entries;
DROP FUNCTION cartrec_ledger_head_follows();
ALTER TABLE ledger_head DROP COLUMN head_hash, DROP COLUMN next_seq;
