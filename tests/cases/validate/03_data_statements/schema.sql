CREATE TABLE merkle_trees (
    tree_address text PRIMARY KEY,
    max_depth integer NOT NULL
);

-- Seed data does not belong in the desired state.
INSERT INTO merkle_trees (tree_address, max_depth) VALUES ('tree', 14);
UPDATE merkle_trees SET max_depth = 20;
DELETE FROM merkle_trees WHERE max_depth > 30;
COPY merkle_trees FROM '/tmp/trees.csv' WITH (FORMAT csv);
TRUNCATE merkle_trees;
SELECT set_config('app.current_user', 'x', FALSE);
DO $$ BEGIN PERFORM 1; END $$;
CREATE TABLE tree_copy AS SELECT * FROM merkle_trees;
