-- Wallet isolation of transfer_history: a wallet reads the transfers of the assets it owns
-- and those it took part in. Transfers are written by transfer_asset() only.
CREATE POLICY party_read ON transfer_history
FOR SELECT
TO blockchain_service
USING (
    from_address = current_setting('app.current_user', TRUE)
    OR to_address = current_setting('app.current_user', TRUE)
    OR EXISTS (
        SELECT 1
        FROM memory_assets AS ma
        WHERE
            ma.asset_id = transfer_history.asset_id
            AND ma.owner_address = current_setting('app.current_user', TRUE)
    )
);

COMMENT ON POLICY party_read ON transfer_history IS
'blockchain_service reads the transfers of the assets the wallet in app.current_user owns, sent or received.';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON transfer_history
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON transfer_history IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
