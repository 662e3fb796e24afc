CREATE TRIGGER check_minting_queue_rules
BEFORE INSERT OR UPDATE OF batch_id, owner_address ON minting_queue
FOR EACH ROW
EXECUTE FUNCTION minting_queue_rules();

COMMENT ON TRIGGER check_minting_queue_rules ON minting_queue IS
'Enforces the cross-row rules of minting_queue (see function minting_queue_rules).';
