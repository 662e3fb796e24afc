-- Wallet isolation of memory_batches: a wallet reads and requests only its own batches; their
-- progress, costs and completion are the worker's to write.
CREATE POLICY owner_access ON memory_batches
FOR ALL
TO blockchain_service
USING (owner_address = current_setting('app.current_user', TRUE))
WITH CHECK (owner_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY owner_access ON memory_batches IS
'blockchain_service reads and requests only the batches of the wallet in app.current_user; fails closed when the setting is unset.';

-- The worker processes every wallet's batches.
CREATE POLICY worker_access ON memory_batches
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON memory_batches IS
'memory_worker processes the batches of every wallet (column privileges limit what it writes).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON memory_batches
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON memory_batches IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
