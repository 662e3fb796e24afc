CREATE TABLE memory_batches (batch_id uuid PRIMARY KEY);
CREATE TABLE merkle_trees (
    tree_address text NOT NULL,
    tree_version integer NOT NULL,
    PRIMARY KEY (tree_address, tree_version)
);

CREATE TABLE memory_assets (
    asset_id text PRIMARY KEY,
    batch_id uuid REFERENCES memory_batches (batch_id),
    merkle_tree text NOT NULL,
    tree_version integer NOT NULL,
    leaf_index bigint NOT NULL,
    source_batch uuid,
    origin_batch uuid,
    parent_asset text,
    CONSTRAINT memory_assets_tree_fkey FOREIGN KEY (merkle_tree, tree_version)
    REFERENCES merkle_trees (tree_address, tree_version),
    CONSTRAINT memory_assets_source_batch_fkey FOREIGN KEY (source_batch)
    REFERENCES memory_batches (batch_id),
    CONSTRAINT memory_assets_origin_batch_fkey FOREIGN KEY (origin_batch)
    REFERENCES memory_batches (batch_id),
    CONSTRAINT memory_assets_parent_fkey FOREIGN KEY (parent_asset)
    REFERENCES memory_assets (asset_id)
);

-- Not supporting: the FK column is second; a partial index; an expression index.
CREATE INDEX memory_assets_leaf_batch_idx ON memory_assets (leaf_index, batch_id);
CREATE INDEX memory_assets_source_batch_idx ON memory_assets (source_batch) WHERE source_batch IS NOT NULL;
CREATE INDEX memory_assets_origin_text_idx ON memory_assets ((origin_batch::text));

-- Supporting: a unique key led by the FK columns in another order; an index with more columns.
ALTER TABLE memory_assets ADD CONSTRAINT memory_assets_tree_leaf_key UNIQUE (tree_version, merkle_tree, leaf_index);
CREATE INDEX memory_assets_parent_idx ON memory_assets (parent_asset, asset_id);
