CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    name text,
    owner_address text NOT NULL
);
COMMENT ON COLUMN asset.name IS 'Display title.';
