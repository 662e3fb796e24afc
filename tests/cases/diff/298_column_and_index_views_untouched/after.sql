CREATE TABLE asset (asset_id text CONSTRAINT asset_pkey PRIMARY KEY, owner_address text NOT NULL, burned boolean NOT NULL DEFAULT false,
    collection text);
CREATE INDEX asset_collection_idx ON asset (collection);
CREATE VIEW live_asset WITH (security_invoker = true) AS SELECT asset_id, owner_address FROM asset WHERE NOT burned;
CREATE VIEW owner_count AS SELECT owner_address, count(*) AS n FROM asset GROUP BY owner_address;
COMMENT ON VIEW live_asset IS 'assets not burned';
COMMENT ON COLUMN live_asset.owner_address IS 'current owner';
