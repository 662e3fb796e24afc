CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    name text CONSTRAINT asset_name_length CHECK (char_length(name) <= 200),
    owner_address text NOT NULL
);
CREATE INDEX asset_name_idx ON asset (name);
COMMENT ON COLUMN asset.name IS 'Display title.';
GRANT SELECT (id, name) ON asset TO PUBLIC;
