DROP TABLE checkpoints;
DROP FUNCTION cartrec_checkpoint_insert_grows();
