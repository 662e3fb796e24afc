CREATE SCHEMA app;

CREATE TABLE app.batches (
    batch_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_address text NOT NULL,
    tree_id integer,
    tree_leaf integer,
    label text UNIQUE
);

CREATE TABLE app.trees (
    tree_id serial,
    leaf integer NOT NULL,
    PRIMARY KEY (tree_id, leaf)
);

-- A composite foreign key, supported by an index with the same columns in another order.
ALTER TABLE app.batches
ADD CONSTRAINT batches_tree_fkey FOREIGN KEY (tree_id, tree_leaf) REFERENCES app.trees (leaf, tree_id);
CREATE INDEX batches_tree_idx ON app.batches (tree_leaf, tree_id);

GRANT USAGE ON SCHEMA app TO service;
GRANT SELECT ON TABLE app.batches TO service;
GRANT USAGE ON SEQUENCE app.trees_tree_id_seq TO service;
COMMENT ON SCHEMA app IS 'Application tables.';
