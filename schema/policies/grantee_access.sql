-- A wallet holding a grant in force on an asset may read that asset (read only: the
-- policy is FOR SELECT, so updates stay limited to owners by owner_access). Permissive
-- policies are OR-ed, so this widens owner_access for reads only. Fails closed like
-- owner_access when app.current_user is unset.
-- A grant counts only when its grantor is the asset's current owner: any wallet may
-- write grants naming itself as grantor (policy grantor_access on access_grants), so
-- without this a wallet could grant a friend access to someone else's asset; after a
-- transfer, the previous owner's grants stop applying.
-- Two conjuncts on purpose. asset_id = ANY (ARRAY(uncorrelated subquery)) reads the
-- grantee's asset ids once (an InitPlan through the partial index
-- access_grants_grantee_address_active_idx), so OR-ed with owner_access the row filter
-- stays a BitmapOr of the owner index and the primary key instead of a filter on every
-- row of the table. The correlated EXISTS then confirms, for those few candidate rows
-- only, that a grant in force comes from the owner.
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
    AND EXISTS (
        SELECT 1
        FROM access_grants AS ag
        WHERE
            ag.asset_id = memory_assets.asset_id
            AND ag.grantor_address = memory_assets.owner_address
            AND ag.grantee_address = current_setting('app.current_user', TRUE)
            AND ag.revoked_at IS NULL
            AND (ag.expires_at IS NULL OR ag.expires_at > now())
            AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
    )
);

COMMENT ON POLICY grantee_access ON memory_assets IS
'blockchain_service may read assets on which the wallet in app.current_user holds a grant in force (given by the current owner, not revoked, not expired, uses left).';
