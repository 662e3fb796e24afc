CREATE TABLE assets (
    asset_id text NOT NULL,
    owner_address text NOT NULL,
    batch_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assets_pkey PRIMARY KEY (asset_id),
    CONSTRAINT assets_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES app.batches (batch_id),
    CONSTRAINT assets_created_before_updated CHECK (created_at <= updated_at)
);

-- Supports the foreign key: its leading column is batch_id.
CREATE INDEX assets_batch_id_created_at_idx ON assets (batch_id, created_at DESC);
CREATE INDEX assets_owner_address_idx ON assets (owner_address) INCLUDE (created_at);

ALTER TABLE assets ADD COLUMN note text;
ALTER TABLE assets ADD CONSTRAINT assets_note_length CHECK (char_length(note) < 500);
ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
ALTER TABLE assets OWNER TO owner_role;

CREATE POLICY owner_access ON assets
FOR ALL
TO service
USING (owner_address = current_setting('app.current_user', TRUE));

CREATE FUNCTION touch_updated_at()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE FUNCTION asset_count(owner text, "limit" integer)
RETURNS bigint
LANGUAGE sql
STABLE
AS $$ SELECT count(*) FROM assets WHERE owner_address = owner $$;

CREATE TRIGGER assets_touch
BEFORE UPDATE OF owner_address, note ON assets
FOR EACH ROW
EXECUTE FUNCTION touch_updated_at();

COMMENT ON TABLE assets IS 'Minted assets.';
COMMENT ON COLUMN assets.note IS 'Added by ALTER TABLE.';
COMMENT ON CONSTRAINT assets_note_length ON assets IS 'Short notes.';
COMMENT ON INDEX assets_pkey IS 'The primary key index.';
COMMENT ON TRIGGER assets_touch ON assets IS 'Stamps updated_at.';
COMMENT ON POLICY owner_access ON assets IS 'Owners only.';
COMMENT ON FUNCTION asset_count(text, int) IS 'Assets of a wallet.';

REVOKE EXECUTE ON FUNCTION touch_updated_at() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION asset_count(text, int4) TO service;
GRANT SELECT, INSERT, UPDATE ON TABLE assets TO service;
GRANT UPDATE (note) ON TABLE assets TO service;
