CREATE TABLE memory_assets (
    asset_id text PRIMARY KEY,
    owner_address text NOT NULL,
    CONSTRAINT memory_assets_owner_key UNIQUE (owner_address)
);

CREATE INDEX memory_assets_owner_address_idx ON memory_assets (owner_address);
-- Same name as the index of the UNIQUE constraint above.
CREATE INDEX memory_assets_owner_key ON memory_assets (owner_address);
