-- The Merkle tree over the ledger (RFC 6962; see ../shared/design/ledger.md): the hash of every
-- complete aligned subtree of two or more entries. Row (level, idx) covers the entries with
-- seq idx * 2^level .. (idx + 1) * 2^level - 1; level 0 is ledger_entries.hash itself. The
-- appender writes the subtrees each entry completes in that entry's transaction. Entries that
-- existed before this migration get theirs from the catch-up that `cartrec migrate` and every
-- start run (src/ledger/tree.rs), since SQLite has no SHA-256 in SQL.
CREATE TABLE merkle_nodes (
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   BIGINT  NOT NULL CHECK (idx >= 0),
    hash  BLOB    NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- Append-only as the ledger is (see 000004): each level grows by its next node only, and only
-- over children that exist, so no insert reaches a key conflict and no conflict clause
-- (REPLACE, IGNORE, upsert) has a row to replace.
CREATE TRIGGER merkle_nodes_insert_next BEFORE INSERT ON merkle_nodes
WHEN NEW.idx IS NOT (SELECT coalesce(max(idx) + 1, 0) FROM merkle_nodes WHERE level = NEW.level)
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: an insert must extend its level (idx is not the next)');
END;

CREATE TRIGGER merkle_nodes_insert_children BEFORE INSERT ON merkle_nodes
WHEN (NEW.level = 1 AND (SELECT count(*) FROM ledger_entries
                         WHERE seq IN (2 * NEW.idx, 2 * NEW.idx + 1)) < 2)
    OR (NEW.level > 1 AND (SELECT count(*) FROM merkle_nodes
                           WHERE level = NEW.level - 1 AND idx IN (2 * NEW.idx, 2 * NEW.idx + 1)) < 2)
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: an insert must extend its level (its children are not stored)');
END;

CREATE TRIGGER merkle_nodes_no_update BEFORE UPDATE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: UPDATE refused');
END;

CREATE TRIGGER merkle_nodes_no_delete BEFORE DELETE ON merkle_nodes
BEGIN
    SELECT RAISE(ABORT, 'merkle_nodes is append-only: DELETE refused');
END;
