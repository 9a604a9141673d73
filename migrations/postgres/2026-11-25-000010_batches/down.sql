DROP TABLE pending_verifications;
DROP TABLE batches;
