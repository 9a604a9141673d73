-- Lock-out state: consecutive failed password checks (login or signature) and the lock.
ALTER TABLE users ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;

-- Earlier password hashes, so that the last few cannot be reused.
CREATE TABLE password_history (
    username      TEXT      NOT NULL REFERENCES users (username),
    password_hash TEXT      NOT NULL,
    set_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (username, set_at)
);

-- Projection of signature.applied events, one row per signed entry; rebuildable from the
-- ledger. The UNIQUE constraint makes the same signature twice impossible under any
-- concurrency: one signer, one meaning, one content.
CREATE TABLE signatures (
    signature_seq BIGINT NOT NULL,
    entry_seq     BIGINT NOT NULL,
    entry_hash    BLOB   NOT NULL,
    signer        TEXT   NOT NULL,
    meaning       TEXT   NOT NULL,
    PRIMARY KEY (signature_seq, entry_seq),
    UNIQUE (entry_hash, signer, meaning)
);
CREATE INDEX signatures_by_entry ON signatures (entry_seq);
