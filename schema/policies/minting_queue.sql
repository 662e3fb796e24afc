-- Wallet isolation of minting_queue: a wallet reads and enqueues only its own entries, and
-- may only cancel one of its pending entries.
CREATE POLICY owner_read ON minting_queue
FOR SELECT
TO blockchain_service
USING (owner_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY owner_read ON minting_queue IS
'blockchain_service reads only the queue entries of the wallet in app.current_user.';

CREATE POLICY owner_enqueue ON minting_queue
FOR INSERT
TO blockchain_service
WITH CHECK (owner_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY owner_enqueue ON minting_queue IS
'blockchain_service enqueues mints only for the wallet in app.current_user.';

CREATE POLICY owner_cancel ON minting_queue
FOR UPDATE
TO blockchain_service
USING (owner_address = current_setting('app.current_user', TRUE) AND status = 'pending')
WITH CHECK (owner_address = current_setting('app.current_user', TRUE) AND status = 'cancelled');

COMMENT ON POLICY owner_cancel ON minting_queue IS
'blockchain_service may only cancel a pending entry of the wallet in app.current_user.';

-- The worker processes every wallet's entries.
CREATE POLICY worker_access ON minting_queue
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON minting_queue IS
'memory_worker processes the queue entries of every wallet (column privileges limit what it writes).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON minting_queue
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON minting_queue IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
