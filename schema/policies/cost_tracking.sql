-- Wallet isolation of cost_tracking: a wallet reads its own costs; the worker records them.
CREATE POLICY owner_read ON cost_tracking
FOR SELECT
TO blockchain_service
USING (wallet_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY owner_read ON cost_tracking IS
'blockchain_service reads only the costs of the wallet in app.current_user.';

CREATE POLICY worker_access ON cost_tracking
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON cost_tracking IS
'memory_worker records and reads the costs of every wallet (no UPDATE or DELETE is granted).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON cost_tracking
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON cost_tracking IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
