DROP TABLE signatures;
DROP TABLE password_history;
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE users DROP COLUMN failed_attempts;
