-- Signed tree heads (../shared/design/ledger.md, "Authenticity against the database's own
-- users"): every commit that appends to the ledger signs the head it leaves (size, Merkle root,
-- the last entry's hash) with the ledger key kept outside the database, in the same
-- transaction as its entries. An entry no signed head covers was not written by cartrec.
-- Append-only, like the checkpoints.
CREATE TABLE tree_heads (
    size      BIGINT PRIMARY KEY CHECK (size >= 1),
    root_hash BYTEA  NOT NULL CHECK (octet_length(root_hash) = 32),
    last_hash BYTEA  NOT NULL CHECK (octet_length(last_hash) = 32),
    signed_at TEXT   NOT NULL,
    note      TEXT   NOT NULL
);

CREATE FUNCTION cartrec_tree_head_insert_grows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size <= (SELECT coalesce(max(size), 0) FROM tree_heads) THEN
        RAISE EXCEPTION 'tree_heads is append-only: a head must cover more entries than the last';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER tree_heads_insert_grows
    BEFORE INSERT ON tree_heads
    FOR EACH ROW EXECUTE FUNCTION cartrec_tree_head_insert_grows();
CREATE TRIGGER tree_heads_no_update_delete
    BEFORE UPDATE OR DELETE ON tree_heads
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER tree_heads_no_truncate
    BEFORE TRUNCATE ON tree_heads
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Fire even under session_replication_role = replica.
ALTER TABLE tree_heads ENABLE ALWAYS TRIGGER tree_heads_insert_grows;
ALTER TABLE tree_heads ENABLE ALWAYS TRIGGER tree_heads_no_update_delete;
ALTER TABLE tree_heads ENABLE ALWAYS TRIGGER tree_heads_no_truncate;
