DROP TABLE waiting_correction_rows;
DROP TABLE open_deviation_rows;
