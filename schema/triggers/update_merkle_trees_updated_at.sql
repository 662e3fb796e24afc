CREATE TRIGGER update_merkle_trees_updated_at
BEFORE UPDATE ON merkle_trees
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

COMMENT ON TRIGGER update_merkle_trees_updated_at ON merkle_trees IS
'Keeps merkle_trees.updated_at at the time of the last update.';
