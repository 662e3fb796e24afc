CREATE TRIGGER check_version_history_rules
BEFORE INSERT ON version_history
FOR EACH ROW
EXECUTE FUNCTION version_history_rules();

COMMENT ON TRIGGER check_version_history_rules ON version_history IS
'Enforces the cross-row rules of version_history (see function version_history_rules).';
