DROP TABLE ledger_head;
DROP TABLE ledger_entries;
