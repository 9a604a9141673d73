-- The seal of each session row: an HMAC, with the key of the users rows' seals, over the
-- session's id, owner, opening, absolute expiry and end. A session someone with database
-- access revived (its end cleared) or prolonged (its expiry moved) no longer matches its seal,
-- and cartrec refuses its token; a session without a seal (planted, or opened before seals)
-- is no session at all.
ALTER TABLE sessions ADD COLUMN seal TEXT;
