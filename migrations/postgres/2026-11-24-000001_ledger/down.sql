DROP TABLE ledger_head;
DROP TABLE ledger_entries;
DROP FUNCTION cartrec_refuse_ledger_change();
