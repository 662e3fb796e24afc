CREATE ROLE blockchain_service;

CREATE TABLE memory_assets (
    asset_id text PRIMARY KEY,
    batch_id uuid REFERENCES memory_batch (batch_id),
    owner_address text NOT NULL
);
CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batch_id);

CREATE VIEW active_assets AS
WITH recent AS (
    SELECT ma.asset_id FROM memory_assets AS ma
)
SELECT r.asset_id, t.tree_address
FROM recent AS r
JOIN merkle_tree AS t ON TRUE
JOIN pg_catalog.pg_class AS c ON TRUE;

-- A foreign key to a view, an index on a view.
CREATE TABLE access_grants (
    grant_id bigint PRIMARY KEY,
    asset_id text REFERENCES active_assets (asset_id)
);
CREATE INDEX access_grants_asset_id_idx ON access_grants (asset_id);
CREATE INDEX active_assets_idx ON active_assets (asset_id);

CREATE INDEX transfer_history_asset_id_idx ON transfer_history (asset_id);
CREATE TRIGGER touch BEFORE UPDATE ON transfer_history FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY owner_access ON transfer_history USING (TRUE);
ALTER TABLE transfer_history ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON TABLE memory_asset TO blockchain_service;
GRANT USAGE ON SEQUENCE memory_assets_seq TO blockchain_service;
GRANT USAGE ON SCHEMA app TO blockchain_service;
COMMENT ON TABLE memory_asset IS 'typo';
COMMENT ON VIEW memory_assets IS 'a table, not a view';
COMMENT ON COLUMN memory_asset.asset_id IS 'typo';
COMMENT ON INDEX memory_assets_missing_idx IS 'no such index';
COMMENT ON TRIGGER touch ON memory_assets IS 'no such trigger';
COMMENT ON POLICY owner_access ON memory_assets IS 'no such policy';
COMMENT ON CONSTRAINT memory_assets_named ON memory_assets IS 'no such constraint';
CREATE TABLE app.tree_index (
    tree_address text PRIMARY KEY
);
-- PostgreSQL's names for unnamed constraints and their indexes are known.
COMMENT ON CONSTRAINT memory_assets_batch_id_fkey ON memory_assets IS 'generated name';
COMMENT ON CONSTRAINT memory_assets_pkey ON memory_assets IS 'generated name';
COMMENT ON INDEX memory_assets_pkey IS 'generated name';
