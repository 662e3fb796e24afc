-- A wallet holding a grant in force on an asset may read that asset (read only: the
-- policy is FOR SELECT, so updates stay limited to owners by owner_access). Permissive
-- policies are OR-ed, so this widens owner_access for reads only. Fails closed like
-- owner_access when app.current_user is unset.
-- Written as asset_id = ANY (ARRAY(uncorrelated subquery)) rather than a correlated
-- EXISTS: the grantee's asset ids are read once (an InitPlan through the partial index
-- access_grants_grantee_address_active_idx), and OR-ed with owner_access the whole row
-- filter becomes a BitmapOr of the owner index and the primary key, instead of a
-- filter evaluated on every row of the table.
CREATE POLICY grantee_access ON memory_assets
FOR SELECT
TO blockchain_service
USING (
    asset_id = ANY(
        ARRAY(
            SELECT ag.asset_id
            FROM access_grants AS ag
            WHERE
                ag.grantee_address = current_setting('app.current_user', TRUE)
                AND ag.revoked_at IS NULL
                AND (ag.expires_at IS NULL OR ag.expires_at > now())
                AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
        )
    )
);

COMMENT ON POLICY grantee_access ON memory_assets IS
'blockchain_service may read assets on which the wallet in app.current_user holds a grant in force (not revoked, not expired, uses left).';
