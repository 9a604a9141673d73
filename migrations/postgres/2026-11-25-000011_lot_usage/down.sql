DROP TABLE lot_usage;
