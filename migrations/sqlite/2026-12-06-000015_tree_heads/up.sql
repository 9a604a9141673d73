-- Signed tree heads (../shared/design/ledger.md, "Authenticity against the database's own
-- users"): every commit that appends to the ledger signs the head it leaves (size, Merkle root,
-- the last entry's hash) with the ledger key kept outside the database, in the same
-- transaction as its entries. An entry no signed head covers was not written by cartrec.
-- Append-only, like the checkpoints.
CREATE TABLE tree_heads (
    size      BIGINT PRIMARY KEY CHECK (size >= 1),
    root_hash BLOB   NOT NULL CHECK (length(root_hash) = 32),
    last_hash BLOB   NOT NULL CHECK (length(last_hash) = 32),
    signed_at TEXT   NOT NULL,
    note      TEXT   NOT NULL
);

CREATE TRIGGER tree_heads_insert_grows BEFORE INSERT ON tree_heads
WHEN NEW.size <= (SELECT coalesce(max(size), 0) FROM tree_heads)
BEGIN
    SELECT RAISE(ABORT, 'tree_heads is append-only: a head must cover more entries than the last');
END;

CREATE TRIGGER tree_heads_no_update BEFORE UPDATE ON tree_heads
BEGIN
    SELECT RAISE(ABORT, 'tree_heads is append-only: UPDATE refused');
END;

CREATE TRIGGER tree_heads_no_delete BEFORE DELETE ON tree_heads
BEGIN
    SELECT RAISE(ABORT, 'tree_heads is append-only: DELETE refused');
END;
