CREATE TABLE asset (
    id integer CONSTRAINT asset_pkey PRIMARY KEY,
    -- schemactl:renamed-from name
    title text CONSTRAINT asset_name_length CHECK (char_length(title) <= 200),
    owner_address text NOT NULL
);
CREATE INDEX asset_name_idx ON asset (title);
COMMENT ON COLUMN asset.title IS 'Display title.';
GRANT SELECT (id, title) ON asset TO PUBLIC;
