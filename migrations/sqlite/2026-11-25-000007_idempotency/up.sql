-- Responses to POSTs that carried an Idempotency-Key, so that a retry (after a lost answer)
-- gets the first answer and appends nothing. Not a projection: a cache of answers, keyed per
-- user. A row without a status belongs to a request still running (or one cut off by a crash).
CREATE TABLE idempotency_keys (
    username     TEXT      NOT NULL,
    key          TEXT      NOT NULL,
    fingerprint  TEXT      NOT NULL,
    status       INTEGER,
    content_type TEXT,
    etag         TEXT,
    body         BLOB,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (username, key)
);
