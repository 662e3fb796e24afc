-- Wallet isolation of version_history: versions are visible and added through the asset's
-- owner (the subquery runs under memory_assets' own policies, so it sees only the caller's
-- assets).
CREATE POLICY asset_owner_access ON version_history
FOR ALL
TO blockchain_service
USING (
    EXISTS (
        SELECT 1
        FROM memory_assets AS ma
        WHERE
            ma.asset_id = version_history.asset_id
            AND ma.owner_address = current_setting('app.current_user', TRUE)
    )
)
WITH CHECK (
    EXISTS (
        SELECT 1
        FROM memory_assets AS ma
        WHERE
            ma.asset_id = version_history.asset_id
            AND ma.owner_address = current_setting('app.current_user', TRUE)
    )
);

COMMENT ON POLICY asset_owner_access ON version_history IS
'blockchain_service reads and adds versions only of the assets owned by the wallet in app.current_user.';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON version_history
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON version_history IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
