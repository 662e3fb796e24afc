CREATE TRIGGER update_memory_batches_updated_at
BEFORE UPDATE ON memory_batches
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

COMMENT ON TRIGGER update_memory_batches_updated_at ON memory_batches IS
'Keeps memory_batches.updated_at at the time of the last update.';
