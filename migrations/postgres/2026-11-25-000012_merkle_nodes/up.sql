-- The Merkle tree over the ledger (RFC 6962; see ../shared/design/ledger.md): the hash of every
-- complete aligned subtree of two or more entries. Row (level, idx) covers the entries with
-- seq idx * 2^level .. (idx + 1) * 2^level - 1; level 0 is ledger_entries.hash itself. The
-- appender writes the subtrees each entry completes in that entry's transaction. Entries that
-- existed before this migration get theirs from the catch-up that `cartrec migrate` and every
-- start run (src/ledger/tree.rs), the same code on both backends.
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   BIGINT  NOT NULL CHECK (idx >= 0),
    hash  BYTEA   NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- Append-only as the ledger is (see 000004): each level grows by its next node only, over
-- children that exist, and with the hash of those children. Three primary-key lookups and one
-- SHA-256 per node, about one node per entry.
CREATE FUNCTION cartrec_merkle_node_insert_extends() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    next_idx bigint := 0;
    left_hash bytea;
    right_hash bytea;
    reason text;
BEGIN
    SELECT idx + 1 INTO next_idx FROM merkle_nodes
        WHERE level = NEW.level ORDER BY idx DESC LIMIT 1;
    IF NOT FOUND THEN
        next_idx := 0;
    END IF;
    IF NEW.level = 1 THEN
        SELECT hash INTO left_hash FROM ledger_entries WHERE seq = 2 * NEW.idx;
        SELECT hash INTO right_hash FROM ledger_entries WHERE seq = 2 * NEW.idx + 1;
    ELSE
        SELECT hash INTO left_hash FROM merkle_nodes
            WHERE level = NEW.level - 1 AND idx = 2 * NEW.idx;
        SELECT hash INTO right_hash FROM merkle_nodes
            WHERE level = NEW.level - 1 AND idx = 2 * NEW.idx + 1;
    END IF;

    IF NEW.idx IS DISTINCT FROM next_idx THEN
        reason := 'idx is not the next';
    ELSIF left_hash IS NULL OR right_hash IS NULL THEN
        reason := 'its children are not stored';
    ELSIF NEW.hash IS DISTINCT FROM sha256(decode('01', 'hex') || left_hash || right_hash) THEN
        reason := 'hash is not SHA-256(0x01 || left || right)';
    END IF;

    IF reason IS NOT NULL THEN
        RAISE EXCEPTION 'merkle_nodes is append-only: an insert must extend its level (%)',
            reason USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER merkle_nodes_insert_extends
    BEFORE INSERT ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION cartrec_merkle_node_insert_extends();
CREATE TRIGGER merkle_nodes_no_update_delete
    BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION cartrec_refuse_ledger_change();
CREATE TRIGGER merkle_nodes_no_truncate
    BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION cartrec_refuse_ledger_change();

-- Fire even under session_replication_role = replica.
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_insert_extends;
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_no_update_delete;
ALTER TABLE merkle_nodes ENABLE ALWAYS TRIGGER merkle_nodes_no_truncate;
