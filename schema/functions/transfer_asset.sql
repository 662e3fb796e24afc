-- Transfers an asset of the wallet in app.current_user to another wallet: checks the current
-- owner under a row lock, records the transfer and moves the asset, in the caller's
-- transaction (all or nothing). The previous owner's grants stop applying at once: a grant
-- counts only while its grantor owns the asset (shared_with_me, record_grant_use).
-- SECURITY DEFINER with a pinned search_path: the caller has neither UPDATE on owner_address
-- nor INSERT on transfer_history; this function is the only way to do both, and only for the
-- owner. Errors do not tell whether another wallet's asset exists.
CREATE FUNCTION transfer_asset(
    transferred_asset text,
    new_owner text,
    signature text
)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    wallet text := current_setting('app.current_user', TRUE);
    asset_owner text;
    asset_status text;
    new_transfer_id bigint;
BEGIN
    SELECT ma.owner_address, ma.status INTO asset_owner, asset_status
    FROM memory_assets AS ma
    WHERE ma.asset_id = transferred_asset
    FOR UPDATE;
    IF wallet IS NULL OR asset_owner IS DISTINCT FROM wallet THEN
        RAISE EXCEPTION 'transfer_asset: asset % is not owned by the wallet in app.current_user', transferred_asset
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF asset_status NOT IN ('active', 'archived') THEN
        RAISE EXCEPTION 'transfer_asset: asset % is %, only active or archived assets move', transferred_asset, asset_status
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO transfer_history (asset_id, from_address, to_address, tx_signature)
    VALUES (transferred_asset, wallet, new_owner, signature)
    RETURNING transfer_id INTO new_transfer_id;
    UPDATE memory_assets AS ma
    SET owner_address = new_owner
    WHERE ma.asset_id = transferred_asset;
    RETURN new_transfer_id;
END
$$;

ALTER FUNCTION transfer_asset(text, text, text) OWNER TO memory_owner;

COMMENT ON FUNCTION transfer_asset(text, text, text) IS
'Transfers an asset owned by the wallet in app.current_user to new_owner, recording the transfer (signature) in transfer_history; returns the transfer_id. The only way the application moves an asset.';

REVOKE EXECUTE ON FUNCTION transfer_asset(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION transfer_asset(text, text, text) TO blockchain_service;
