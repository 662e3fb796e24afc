CREATE ROLE blockchain_service;

CREATE TABLE merkle_trees (
    tree_address text PRIMARY KEY,
    max_depth integer NOT NULL,
    search tsvector
);

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION tree_capacity(depth integer) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint << depth $$;

CREATE TRIGGER touch BEFORE UPDATE ON merkle_trees FOR EACH ROW EXECUTE FUNCTION set_update_at();
CREATE TRIGGER capacity BEFORE UPDATE ON merkle_trees FOR EACH ROW EXECUTE FUNCTION tree_capacity();
-- Built-in trigger functions are known.
CREATE TRIGGER search_update BEFORE INSERT OR UPDATE ON merkle_trees
FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search, 'pg_catalog.simple', tree_address);
CREATE TRIGGER dedupe BEFORE UPDATE ON merkle_trees
FOR EACH ROW EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger();

GRANT EXECUTE ON FUNCTION tree_capacity(integer) TO blockchain_service;
GRANT EXECUTE ON FUNCTION tree_capacity(bigint) TO blockchain_service;
GRANT EXECUTE ON FUNCTION tree_capacity TO blockchain_service;
REVOKE EXECUTE ON FUNCTION tree_size(integer) FROM PUBLIC;
COMMENT ON FUNCTION set_updated_at(text) IS 'wrong signature';
ALTER FUNCTION tree_capacitee(integer) OWNER TO blockchain_service;
