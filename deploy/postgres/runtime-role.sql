-- Least privilege for the cartrec service role (run as the schema owner after `cartrec migrate`).
-- The ledger and its projections can only be read and appended to; the triggers refuse
-- changes to ledger rows even to the owner.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM cartrec_app;
GRANT USAGE ON SCHEMA public TO cartrec_app;
GRANT SELECT, INSERT ON ledger_entries, merkle_nodes, checkpoints, tree_heads, signatures, password_history TO cartrec_app;
-- The append lock is a row lock on this one-row table, taken by an UPDATE.
GRANT SELECT, UPDATE ON ledger_head TO cartrec_app;
-- Current account and session state (the history of every change is in the ledger).
GRANT SELECT, INSERT, UPDATE ON users, sessions TO cartrec_app;
GRANT SELECT ON __diesel_schema_migrations TO cartrec_app;
-- Rebuildable projections of the ledger (lists and pickers): written with their events;
-- emptied and replayed by rebuild-projections, and by verify in a transaction it rolls back.
GRANT SELECT, INSERT, UPDATE, DELETE ON lots, equipment, templates, batches,
    pending_verifications, lot_usage, open_deviation_rows, waiting_correction_rows TO cartrec_app;
-- Answers kept for retries with an Idempotency-Key.
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO cartrec_app;
-- Uploaded files, stored once by their SHA-256 (the ledger records each upload).
GRANT SELECT, INSERT ON attachments TO cartrec_app;
