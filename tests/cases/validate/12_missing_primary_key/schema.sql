-- No primary key at all.
CREATE TABLE blockchain_audit_logs (
    log_id bigint GENERATED ALWAYS AS IDENTITY,
    operation text NOT NULL
);

-- A unique, non-null column is still not a primary key.
CREATE TABLE cost_tracking (
    cost_id bigint NOT NULL UNIQUE,
    total_cost_lamports bigint NOT NULL
);

-- Primary keys as a column constraint, a table constraint, and added by ALTER TABLE: fine.
CREATE TABLE merkle_trees (tree_address text PRIMARY KEY);
CREATE TABLE version_history (
    asset_id text NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (asset_id, version)
);
CREATE TABLE transfer_history (transfer_id bigint NOT NULL);
ALTER TABLE transfer_history ADD CONSTRAINT transfer_history_pkey PRIMARY KEY (transfer_id);

-- Partitions take the parent's key.
CREATE TABLE audit_events (
    event_id bigint NOT NULL,
    occurred_at timestamptz NOT NULL,
    PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE audit_events_2024 PARTITION OF audit_events
FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
