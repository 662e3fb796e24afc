-- Records one use of a grant by its grantee (the wallet in app.current_user): counts it only
-- while the grant is in force (not revoked, not expired, uses left) and was given by the
-- asset's current owner. Returns whether the use was recorded, so the caller knows whether to
-- serve the content. SECURITY DEFINER: the grantee may not write access_grants otherwise.
CREATE FUNCTION record_grant_use(used_grant bigint)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
BEGIN
    UPDATE access_grants AS ag
    SET use_count = ag.use_count + 1, last_used_at = now()
    FROM memory_assets AS ma
    WHERE
        ag.grant_id = used_grant
        AND ag.grantee_address = current_setting('app.current_user', TRUE)
        AND ag.revoked_at IS NULL
        AND (ag.expires_at IS NULL OR ag.expires_at > now())
        AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
        AND ma.asset_id = ag.asset_id
        AND ma.owner_address = ag.grantor_address;
    RETURN FOUND;
END
$$;

ALTER FUNCTION record_grant_use(bigint) OWNER TO memory_owner;

COMMENT ON FUNCTION record_grant_use(bigint) IS
'Counts one use of a grant by its grantee (app.current_user) if the grant is in force and comes from the asset''s current owner; returns whether it was counted.';

REVOKE EXECUTE ON FUNCTION record_grant_use(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_grant_use(bigint) TO blockchain_service;
