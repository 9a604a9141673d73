DROP TABLE merkle_nodes;
