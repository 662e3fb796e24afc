-- Wallet isolation of memory_assets. The application sets the wallet per transaction:
-- SELECT set_config('app.current_user', $1, true), or SET LOCAL app."current_user" = '<wallet>'
-- (quoted: unquoted, current_user is a reserved word). current_setting(..., TRUE) is NULL when
-- the setting is missing, so every comparison is NULL and no row passes: fail closed.

-- Owners read and change only their own assets. One plain comparison, so a wallet's
-- newest-first page is an index range scan of memory_assets_owner_address_created_at_idx
-- whatever the wallet's size. Assets shared with the wallet are read through
-- shared_with_me(), not through a second policy OR-ed into this hot path.
-- WITH CHECK: no row can be written for, or handed to, another wallet, and the owner may only
-- archive or re-activate (pending and burned are chain facts the worker records). Ownership
-- moves only through transfer_asset(). INSERT is not granted: assets are recorded by the worker.
CREATE POLICY owner_access ON memory_assets
FOR ALL
TO blockchain_service
USING (owner_address = current_setting('app.current_user', TRUE))
WITH CHECK (
    owner_address = current_setting('app.current_user', TRUE)
    AND status IN ('active', 'archived')
);

COMMENT ON POLICY owner_access ON memory_assets IS
'blockchain_service reads and writes only the assets owned by the wallet in app.current_user; fails closed (no rows) when the setting is unset.';

-- Restrictive: an owner changes only settled assets (active or archived). A pending asset
-- cannot be declared active by its owner, and nothing comes back from burned.
CREATE POLICY owner_updates_settled ON memory_assets
AS RESTRICTIVE
FOR UPDATE
TO blockchain_service
USING (status IN ('active', 'archived'));

COMMENT ON POLICY owner_updates_settled ON memory_assets IS
'blockchain_service may update only active or archived assets (pending and burned are the worker''s).';

-- The worker records minted assets and their chain status for every wallet.
CREATE POLICY worker_access ON memory_assets
FOR ALL
TO memory_worker
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY worker_access ON memory_assets IS
'memory_worker records minted assets and their chain status for every wallet (column privileges limit what it writes).';

-- The owner role sees and writes every row: maintenance functions, SECURITY DEFINER
-- functions and operators acting through memory_deploy run as it, and FORCE ROW LEVEL
-- SECURITY would otherwise hide the rows from it too.
CREATE POLICY schema_owner_all ON memory_assets
FOR ALL
TO memory_owner
USING (TRUE)
WITH CHECK (TRUE);

COMMENT ON POLICY schema_owner_all ON memory_assets IS
'memory_owner (maintenance and SECURITY DEFINER functions) reads and writes every row.';
