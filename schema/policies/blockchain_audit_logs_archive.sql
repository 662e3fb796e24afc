-- The archive is the owner's: maintenance moves rows into it; memory_backup reads it through
-- BYPASSRLS. No application role has privileges on it.
-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON blockchain_audit_logs_archive
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON blockchain_audit_logs_archive IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
