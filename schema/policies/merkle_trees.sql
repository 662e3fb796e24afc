-- Trees are public chain accounts: every wallet may read them; only the worker creates and
-- updates them.
CREATE POLICY public_read ON merkle_trees
FOR SELECT
TO blockchain_service
USING (TRUE);

COMMENT ON POLICY public_read ON merkle_trees IS
'blockchain_service reads every tree (public chain accounts); it writes none.';

CREATE POLICY worker_access ON merkle_trees
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON merkle_trees IS
'memory_worker creates trees and keeps their counters and status (column privileges limit what it writes).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON merkle_trees
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON merkle_trees IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
