DROP INDEX batches_by_treating_site;
DROP INDEX batches_by_created_at;
ALTER TABLE batches DROP COLUMN created_at;
DROP TABLE waiting_correction_rows;
DROP TABLE open_deviation_rows;
