-- A wallet writes only the grants it gives: rows it inserts or updates must name it as
-- grantor, so it cannot revive, extend or redirect a grant given by another wallet.
-- Whether a grant opens an asset at all is decided by grantee_access on memory_assets
-- (only grants from the asset's current owner count). Recording a use (use_count,
-- last_used_at) is therefore done with app.current_user set to the grantor. FOR ALL
-- also lets the grantor read its grants; DELETE is not granted (grants are revoked).
-- Fails closed like owner_access when app.current_user is unset.
CREATE POLICY grantor_access ON access_grants
FOR ALL
TO blockchain_service
USING (grantor_address = current_setting('app.current_user', TRUE))
WITH CHECK (grantor_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY grantor_access ON access_grants IS
'blockchain_service reads and writes only the grants given by the wallet in app.current_user; fails closed when the setting is unset.';
