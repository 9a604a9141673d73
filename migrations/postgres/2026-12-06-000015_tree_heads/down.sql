DROP TABLE tree_heads;
DROP FUNCTION cartrec_tree_head_insert_grows();
