CREATE TRIGGER check_transfer_history_rules
BEFORE INSERT ON transfer_history
FOR EACH ROW
EXECUTE FUNCTION transfer_history_rules();

COMMENT ON TRIGGER check_transfer_history_rules ON transfer_history IS
'Enforces the cross-row rules of transfer_history (see function transfer_history_rules).';
