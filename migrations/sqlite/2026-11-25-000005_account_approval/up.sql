-- Account approval (21 CFR Part 11 §11.100(b)-(c)): roles asked for wait in roles_pending
-- until someone other than their requester approves them, after the owner's certification.
ALTER TABLE users ADD COLUMN roles_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN acknowledged_at TIMESTAMP;
