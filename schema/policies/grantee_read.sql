-- A wallet may read the grants it received (read only: it cannot lift a revocation,
-- extend an expiry or reset a use count). OR-ed with grantor_access for reads.
CREATE POLICY grantee_read ON access_grants
FOR SELECT
TO blockchain_service
USING (grantee_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY grantee_read ON access_grants IS
'blockchain_service may read the grants received by the wallet in app.current_user.';
