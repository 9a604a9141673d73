-- Accounts. The ledger holds every change as an event in stream user/<username>; this table is
-- the current state the server needs to authenticate (password hashes never enter the ledger).
CREATE TABLE users (
    username             TEXT      PRIMARY KEY NOT NULL,
    full_name            TEXT      NOT NULL,
    roles                TEXT      NOT NULL,
    active               BOOLEAN   NOT NULL,
    must_change_password BOOLEAN   NOT NULL,
    password_hash        TEXT      NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- A server-side session per login; the JWT carries its id, so ending the row ends the token.
CREATE TABLE sessions (
    id           TEXT      PRIMARY KEY NOT NULL,
    username     TEXT      NOT NULL REFERENCES users (username),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    ended_at     TIMESTAMP,
    end_reason   TEXT
);
CREATE INDEX sessions_by_username ON sessions (username) WHERE ended_at IS NULL;
