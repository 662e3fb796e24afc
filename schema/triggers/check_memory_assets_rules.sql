CREATE TRIGGER check_memory_assets_rules
BEFORE INSERT OR UPDATE ON memory_assets
FOR EACH ROW
EXECUTE FUNCTION memory_assets_rules();

COMMENT ON TRIGGER check_memory_assets_rules ON memory_assets IS
'Enforces the cross-row rules of memory_assets (see function memory_assets_rules).';
