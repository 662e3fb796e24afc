CREATE TABLE transfer (
    id bigint NOT NULL,
    asset_id text NOT NULL,
    CONSTRAINT transfer_pkey PRIMARY KEY (id)
);
ALTER TABLE transfer REPLICA IDENTITY FULL;
