-- schemactl:renamed-from memory_nfts
CREATE TABLE memory_assets (
    asset_id text CONSTRAINT memory_nfts_pkey PRIMARY KEY,
    owner_address text NOT NULL, -- schemactl:renamed-from owner
    title text
);
CREATE INDEX memory_nfts_owner_idx ON memory_assets (owner_address);
CREATE TABLE access_grant (
    grant_id integer CONSTRAINT access_grant_pkey PRIMARY KEY,
    asset_id text NOT NULL CONSTRAINT access_grant_asset_fkey REFERENCES memory_assets (asset_id)
);
CREATE INDEX access_grant_asset_idx ON access_grant (asset_id);
COMMENT ON TABLE memory_assets IS 'Minted assets.';
COMMENT ON COLUMN memory_assets.owner_address IS 'Owning wallet.';
CREATE ROLE sc_case_303_reader NOLOGIN;
GRANT SELECT ON memory_assets TO sc_case_303_reader;
