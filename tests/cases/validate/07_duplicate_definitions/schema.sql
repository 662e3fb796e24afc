CREATE ROLE blockchain_service LOGIN;
CREATE ROLE blockchain_service NOLOGIN;
CREATE SCHEMA app;
CREATE SCHEMA app;
CREATE EXTENSION pgcrypto;
CREATE EXTENSION pgcrypto;

CREATE TABLE merkle_trees (
    tree_address text PRIMARY KEY,
    leaves_minted bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE memory_batches (
    batch_id uuid PRIMARY KEY,
    updated_at timestamptz NOT NULL
);
ALTER TABLE merkle_trees ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

-- Overloads differ in their input types (OUT parameters do not count): fine, then a clash.
CREATE FUNCTION tree_capacity(depth integer) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint << depth $$;
CREATE FUNCTION tree_capacity(depth bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint << depth $$;
CREATE FUNCTION tree_capacity(depth int4, OUT capacity bigint) LANGUAGE sql AS $$ SELECT 1::bigint << depth $$;

CREATE TRIGGER touch BEFORE UPDATE ON merkle_trees FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER touch BEFORE UPDATE ON memory_batches FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE TRIGGER touch BEFORE UPDATE ON merkle_trees FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE POLICY public_trees ON merkle_trees FOR SELECT USING (TRUE);
CREATE POLICY public_trees ON merkle_trees FOR SELECT USING (leaves_minted > 0);
