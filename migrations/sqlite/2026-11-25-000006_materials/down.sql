DROP TABLE equipment;
DROP TABLE lots;
