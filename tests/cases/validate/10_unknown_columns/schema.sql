CREATE ROLE blockchain_service;

CREATE TABLE memory_batches (
    batch_id uuid PRIMARY KEY,
    owner_address text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE memory_assets (
    asset_id text,
    batch_id uuid,
    title text,
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(titel, ''))) STORED,
    CONSTRAINT memory_assets_pkey PRIMARY KEY (assetid),
    CONSTRAINT memory_assets_batch_fkey FOREIGN KEY (batchid) REFERENCES memory_batches (batch),
    CONSTRAINT memory_assets_title_length CHECK (char_length(title_text) < 200),
    CONSTRAINT memory_assets_title_key UNIQUE (title) INCLUDE (subtitle)
);

CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batch_id, created);
CREATE INDEX memory_assets_lower_title_idx ON memory_assets (lower(title_lower));
CREATE INDEX memory_assets_recent_idx ON memory_assets (batch_id) INCLUDE (owner) WHERE archived IS NULL;

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER memory_assets_touch BEFORE UPDATE OF title, description ON memory_assets
FOR EACH ROW EXECUTE FUNCTION touch();

CREATE VIEW batch_owners AS
SELECT mb.owner_address AS wallet, count(*), mb.batch_id
FROM memory_batches AS mb
GROUP BY mb.owner_address, mb.batch_id;

CREATE VIEW batch_dates AS SELECT mb.created_at::date FROM memory_batches AS mb;
CREATE VIEW batch_counts AS SELECT (SELECT count(*) FROM memory_batches AS mb) AS n, ARRAY[1];

GRANT UPDATE (title, summary) ON TABLE memory_assets TO blockchain_service;
COMMENT ON COLUMN memory_batches.owner IS 'no such column';
COMMENT ON COLUMN batch_owners.wallet IS 'an alias';
COMMENT ON COLUMN batch_owners.count IS 'named after the function';
COMMENT ON COLUMN batch_owners.batch_id IS 'named after the column';
COMMENT ON COLUMN batch_owners.owner_address IS 'renamed to wallet';
COMMENT ON COLUMN batch_dates.created_at IS 'a cast keeps the column name';
COMMENT ON COLUMN batch_dates.created IS 'no such column';
COMMENT ON COLUMN batch_counts.anything IS 'not read off the AST: accepted';
