CREATE TRIGGER update_minting_queue_updated_at
BEFORE UPDATE ON minting_queue
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

COMMENT ON TRIGGER update_minting_queue_updated_at ON minting_queue IS
'Keeps minting_queue.updated_at at the time of the last update.';
