CREATE SCHEMA chain;

CREATE TABLE chain.merkle_trees (tree_address text PRIMARY KEY, status text NOT NULL);
CREATE TABLE public.memory_assets (
    asset_id text PRIMARY KEY,
    merkle_tree text REFERENCES chain.merkle_trees (tree_address),
    tree_copy text REFERENCES merkle_trees (tree_address)
);
CREATE INDEX memory_assets_merkle_tree_idx ON memory_assets (merkle_tree);
CREATE INDEX memory_assets_tree_copy_idx ON public.memory_assets (tree_copy);
CREATE INDEX merkle_trees_status_idx ON chain.merkle_trees (status);
CREATE INDEX merkle_trees_status_idx ON merkle_trees (status);

CREATE FUNCTION chain.tree_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM chain.merkle_trees $$;
COMMENT ON FUNCTION chain.tree_count() IS 'qualified: found';
COMMENT ON FUNCTION tree_count() IS 'unqualified means public: not found';
COMMENT ON COLUMN chain.merkle_trees.status IS 'found';
COMMENT ON COLUMN merkle_trees.status IS 'unqualified means public: not found';
CREATE TABLE ledger.entries (entry_id bigint PRIMARY KEY);
