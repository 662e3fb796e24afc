CREATE TABLE memory_nfts (
    asset_id text CONSTRAINT memory_nfts_pkey PRIMARY KEY,
    owner text NOT NULL,
    title text
);
CREATE INDEX memory_nfts_owner_idx ON memory_nfts (owner);
CREATE TABLE access_grant (
    grant_id integer CONSTRAINT access_grant_pkey PRIMARY KEY,
    asset_id text NOT NULL CONSTRAINT access_grant_asset_fkey REFERENCES memory_nfts (asset_id)
);
CREATE INDEX access_grant_asset_idx ON access_grant (asset_id);
COMMENT ON TABLE memory_nfts IS 'Minted assets.';
COMMENT ON COLUMN memory_nfts.owner IS 'Owning wallet.';
CREATE ROLE sc_case_303_reader NOLOGIN;
GRANT SELECT ON memory_nfts TO sc_case_303_reader;
