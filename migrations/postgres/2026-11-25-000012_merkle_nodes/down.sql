DROP TABLE merkle_nodes;
DROP FUNCTION cartrec_merkle_node_insert_extends();
