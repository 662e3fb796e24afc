CREATE TABLE memory_batch (batch_id bigint NOT NULL, created_on date NOT NULL, PRIMARY KEY (batch_id, created_on)) PARTITION BY RANGE (created_on);
CREATE TABLE memory_batch_2026 PARTITION OF memory_batch FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE queue_entry (entry_id bigint PRIMARY KEY, batch_id bigint, created_on date,
    CONSTRAINT queue_entry_batch_fkey FOREIGN KEY (batch_id, created_on) REFERENCES memory_batch (batch_id, created_on));
