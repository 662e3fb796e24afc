-- The active assets shared with the wallet in app.current_user: a grant in force (not revoked,
-- not expired, uses left) given by the asset's current owner. Kept out of memory_assets'
-- policies on purpose, so the owner's own listing stays one index range scan.
-- SECURITY DEFINER: the grantee cannot read other wallets' assets otherwise; it returns only
-- what the grants open, read only. PL/pgSQL rather than SQL: its body is checked when called,
-- so the rendered schema.sql may create it before the tables it reads.
CREATE FUNCTION shared_with_me()
RETURNS TABLE (
    asset_id text,
    owner_address text,
    title text,
    description text,
    tags text[],
    arweave_tx_id text,
    content_hash text,
    created_at timestamptz,
    grant_id bigint,
    permission text,
    expires_at timestamptz,
    uses_left integer
)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT
        ma.asset_id,
        ma.owner_address,
        ma.title,
        ma.description,
        ma.tags,
        ma.arweave_tx_id,
        ma.content_hash,
        ma.created_at,
        ag.grant_id,
        ag.permission,
        ag.expires_at,
        ag.max_uses - ag.use_count AS uses_left
    FROM access_grants AS ag
    INNER JOIN memory_assets AS ma
        ON ag.asset_id = ma.asset_id AND ag.grantor_address = ma.owner_address
    WHERE
        ag.grantee_address = current_setting('app.current_user', TRUE)
        AND ag.revoked_at IS NULL
        AND (ag.expires_at IS NULL OR ag.expires_at > now())
        AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
        AND ma.status = 'active'
    ORDER BY ma.created_at DESC, ma.asset_id ASC;
END
$$;

ALTER FUNCTION shared_with_me() OWNER TO memory_owner;

COMMENT ON FUNCTION shared_with_me() IS
'Active assets shared with the wallet in app.current_user by grants in force from their current owners, newest first, with the grant''s permission, expiry and uses left.';

REVOKE EXECUTE ON FUNCTION shared_with_me() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION shared_with_me() TO blockchain_service;
