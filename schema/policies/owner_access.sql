-- Owners see and change only their own assets. The application sets the wallet per
-- transaction: SELECT set_config('app.current_user', $1, true), or
-- SET LOCAL app."current_user" = '<base58 wallet>' (the quotes are needed: unquoted,
-- current_user is a reserved word and SET app.current_user is a syntax error).
-- current_setting(..., TRUE) returns NULL when the setting is missing: the comparison
-- is then NULL and no row passes, so the policy fails closed instead of raising an
-- error or exposing every row. An empty setting matches no (base58) owner either.
-- WITH CHECK: rows cannot be inserted for, or handed over to, another wallet (so an
-- ownership transfer needs a role or path outside this policy).
CREATE POLICY owner_access ON memory_assets
FOR ALL
TO blockchain_service
USING (owner_address = current_setting('app.current_user', TRUE))
WITH CHECK (owner_address = current_setting('app.current_user', TRUE));

COMMENT ON POLICY owner_access ON memory_assets IS
'blockchain_service reads and writes only the assets owned by the wallet in app.current_user; fails closed (no rows) when the setting is unset.';
