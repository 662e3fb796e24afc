CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    title text,
    owner_address text NOT NULL
);
COMMENT ON COLUMN asset.title IS 'Display title.';
