-- The seal of each account row: an HMAC, with a key derived from the ledger key that lives
-- outside the database, over every column that grants or refuses a right and the hash of the
-- newest entry of the user's stream. A row edited, copied or replayed by someone with
-- database access no longer matches its seal, and cartrec refuses to act on it.
ALTER TABLE users ADD COLUMN seal TEXT;
