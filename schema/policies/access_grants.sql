-- Wallet isolation of access_grants: a wallet sees the grants it gave or received and writes
-- only those it gave. Whether a grant opens an asset at all is decided in shared_with_me():
-- only grants from the asset's current owner count. Fails closed when app.current_user is unset.

-- The grantor reads and writes its grants: rows it inserts or updates must name it as grantor,
-- so it cannot revive, extend or redirect a grant given by another wallet. DELETE is not
-- granted (grants are revoked); uses are recorded by record_grant_use().
CREATE POLICY grantor_access ON access_grants
FOR ALL
TO blockchain_service
USING (grantor_address = current_setting('app.current_user', TRUE))
WITH CHECK (grantor_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY grantor_access ON access_grants IS
'blockchain_service reads and writes only the grants given by the wallet in app.current_user; fails closed when the setting is unset.';

-- The grantee reads the grants it received (read only: it cannot lift a revocation, extend an
-- expiry or reset a use count).
CREATE POLICY grantee_read ON access_grants
FOR SELECT
TO blockchain_service
USING (grantee_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY grantee_read ON access_grants IS
'blockchain_service may read the grants received by the wallet in app.current_user.';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON access_grants
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON access_grants IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
