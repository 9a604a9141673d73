ALTER TABLE users DROP COLUMN acknowledged_at;
ALTER TABLE users DROP COLUMN roles_pending;
