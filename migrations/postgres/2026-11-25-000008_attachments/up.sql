-- Uploaded files (certificates, instrument printouts), stored once by their SHA-256. The
-- ledger records each first upload (stream attachment/<sha256>) and the events that use a
-- file carry its hash; verify re-hashes every stored file.
CREATE TABLE attachments (
    sha256       TEXT    PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    bytes        BYTEA   NOT NULL
);
