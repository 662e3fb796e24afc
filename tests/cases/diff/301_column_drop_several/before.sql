CREATE TABLE batch (
    id integer CONSTRAINT batch_pkey PRIMARY KEY,
    note text,
    size integer NOT NULL CONSTRAINT batch_size_check CHECK (size > 0),
    started_at timestamptz,
    status text NOT NULL DEFAULT 'pending',
    old_cost bigint
);
CREATE INDEX batch_started_at_idx ON batch (started_at);
COMMENT ON TABLE batch IS 'A minting batch.';
COMMENT ON COLUMN batch.note IS 'Free text.';
COMMENT ON COLUMN batch.size IS 'Assets in the batch.';
COMMENT ON COLUMN batch.started_at IS 'When minting began.';
COMMENT ON COLUMN batch.status IS 'pending, minting or done.';
COMMENT ON COLUMN batch.old_cost IS 'Replaced by cost tracking.';
