CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    title text NOT NULL,
    legacy_uri text,
    owner_address text NOT NULL
);
COMMENT ON COLUMN asset.id IS 'Identity of the asset.';
COMMENT ON COLUMN asset.title IS 'Display title.';
COMMENT ON COLUMN asset.legacy_uri IS 'Where the content lived before Arweave.';
COMMENT ON COLUMN asset.owner_address IS 'Wallet that owns the asset.';
GRANT SELECT (title, legacy_uri) ON asset TO PUBLIC;
