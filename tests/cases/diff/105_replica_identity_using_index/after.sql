CREATE TABLE transfer (
    id bigint NOT NULL,
    asset_id text NOT NULL,
    CONSTRAINT transfer_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX transfer_asset_uq ON transfer (asset_id);
ALTER TABLE transfer REPLICA IDENTITY USING INDEX transfer_asset_uq;
