CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    title text NOT NULL,
    owner_address text NOT NULL
);
COMMENT ON COLUMN asset.id IS 'Identity of the asset.';
COMMENT ON COLUMN asset.title IS 'Display title.';
COMMENT ON COLUMN asset.owner_address IS 'Wallet that owns the asset.';
GRANT SELECT (title) ON asset TO PUBLIC;
