CREATE TABLE cost_snapshot (
    snapshot_no integer GENERATED ALWAYS AS IDENTITY,
    lamports bigint NOT NULL
);
