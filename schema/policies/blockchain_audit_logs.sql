-- Wallet isolation of blockchain_audit_logs: a wallet reads and writes only its own audit
-- rows (actor_address); the worker writes and reads every wallet's.
CREATE POLICY actor_access ON blockchain_audit_logs
FOR ALL
TO blockchain_service
USING (actor_address = current_setting('app.current_user', TRUE))
WITH CHECK (actor_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY actor_access ON blockchain_audit_logs IS
'blockchain_service reads and appends only the audit rows whose actor is the wallet in app.current_user.';

CREATE POLICY worker_access ON blockchain_audit_logs
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON blockchain_audit_logs IS
'memory_worker appends and reads the audit rows of every wallet (no UPDATE or DELETE is granted).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON blockchain_audit_logs
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON blockchain_audit_logs IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
