CREATE TABEL batches (batch_id bigint PRIMARY KEY);
