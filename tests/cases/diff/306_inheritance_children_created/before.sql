CREATE TABLE chain_event (
    event_no bigint NOT NULL,
    signature text NOT NULL,
    observed_at timestamptz NOT NULL DEFAULT now()
);
