CREATE TRIGGER update_access_grants_updated_at
BEFORE UPDATE ON access_grants
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

COMMENT ON TRIGGER update_access_grants_updated_at ON access_grants IS
'Keeps access_grants.updated_at at the time of the last update.';
