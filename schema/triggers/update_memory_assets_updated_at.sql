CREATE TRIGGER update_memory_assets_updated_at
BEFORE UPDATE ON memory_assets
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

COMMENT ON TRIGGER update_memory_assets_updated_at ON memory_assets IS
'Keeps memory_assets.updated_at at the time of the last update.';
