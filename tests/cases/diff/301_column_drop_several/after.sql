CREATE TABLE batch (
    id integer CONSTRAINT batch_pkey PRIMARY KEY,
    size integer NOT NULL CONSTRAINT batch_size_check CHECK (size > 0),
    status text NOT NULL DEFAULT 'pending'
);
COMMENT ON TABLE batch IS 'A minting batch.';
COMMENT ON COLUMN batch.size IS 'Assets in the batch.';
COMMENT ON COLUMN batch.status IS 'pending, minting or done.';
