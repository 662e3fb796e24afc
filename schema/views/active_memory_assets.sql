-- Active assets with their batch and the number of grants currently in force.
-- security_invoker: memory_assets' row-level security applies to the caller, not to
-- the view owner, so the view shows a service session only what the table would.
CREATE VIEW active_memory_assets WITH (security_invoker = TRUE) AS
SELECT
    ma.asset_id,
    ma.owner_address,
    ma.batch_id,
    ma.merkle_tree,
    ma.leaf_index,
    ma.mint_signature,
    ma.arweave_tx_id,
    ma.content_hash,
    ma.title,
    ma.description,
    ma.tags,
    ma.metadata,
    ma.created_at,
    ma.updated_at,
    mb.status AS batch_status,
    mb.primary_signature AS batch_signature,
    mb.created_at AS batch_created_at,
    mb.completed_at AS batch_completed_at,
    -- A correlated count keeps the view filterable by owner through the owner index.
    (
        SELECT count(*)
        FROM access_grants AS ag
        WHERE
            ag.asset_id = ma.asset_id
            AND ag.grantor_address = ma.owner_address
            AND ag.revoked_at IS NULL
            AND (ag.expires_at IS NULL OR ag.expires_at > now())
            AND (ag.max_uses IS NULL OR ag.use_count < ag.max_uses)
    ) AS active_grant_count
FROM memory_assets AS ma
LEFT JOIN memory_batches AS mb ON ma.batch_id = mb.batch_id
WHERE ma.status = 'active';

ALTER VIEW active_memory_assets OWNER TO memory_owner;

COMMENT ON VIEW active_memory_assets IS
'Active memory assets with batch information and the count of grants in force (given by the owner, not revoked, not expired, uses left). Runs with the caller''s privileges (security_invoker).';
COMMENT ON COLUMN active_memory_assets.batch_status IS
'Status of the minting batch; NULL for assets without a batch.';
COMMENT ON COLUMN active_memory_assets.active_grant_count IS
'Grants on the asset given by its owner that are not revoked, not expired and not used up (as visible to the caller under row-level security).';
