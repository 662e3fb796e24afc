CREATE TABLE cost_snapshot (
    snapshot_no integer NOT NULL DEFAULT 0,
    lamports bigint NOT NULL
);
