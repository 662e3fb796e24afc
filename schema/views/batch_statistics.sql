-- Daily batch minting statistics (UTC days). "date" is the same expression as the index
-- memory_batches_created_date_idx, so a filter on it is pushed below the grouping and
-- served by that index: SELECT * FROM batch_statistics WHERE date >= CURRENT_DATE - 30.
CREATE VIEW batch_statistics WITH (security_invoker = TRUE) AS
SELECT
    (mb.created_at AT TIME ZONE 'UTC')::date AS date,
    count(*) AS total_batches,
    count(*) FILTER (WHERE mb.status = 'pending') AS pending_batches,
    count(*) FILTER (WHERE mb.status = 'processing') AS processing_batches,
    count(*) FILTER (WHERE mb.status = 'completed') AS completed_batches,
    count(*) FILTER (WHERE mb.status = 'failed') AS failed_batches,
    coalesce(sum(mb.asset_count), 0) AS total_assets_requested,
    coalesce(sum(mb.minted_count), 0) AS total_assets_minted,
    count(DISTINCT mb.owner_address) AS unique_wallets,
    coalesce(sum(mb.total_cost_lamports), 0) AS total_cost_lamports,
    avg(mb.total_cost_lamports) AS avg_cost_lamports,
    coalesce(sum(mb.arweave_cost_winston), 0) AS total_arweave_cost_winston,
    avg(mb.completed_at - mb.created_at) FILTER (
        WHERE mb.status = 'completed'
    ) AS avg_completion_time
FROM memory_batches AS mb
GROUP BY (mb.created_at AT TIME ZONE 'UTC')::date;

ALTER VIEW batch_statistics OWNER TO memory_owner;

COMMENT ON VIEW batch_statistics IS
'Daily (UTC) batch minting statistics: batches by status, assets requested and minted, wallets, Solana and Arweave costs, average completion time.';
COMMENT ON COLUMN batch_statistics.date IS
'UTC calendar day the batches were created (indexed expression on memory_batches).';
COMMENT ON COLUMN batch_statistics.total_cost_lamports IS
'Sum of the batches'' Solana costs in lamports.';
COMMENT ON COLUMN batch_statistics.total_arweave_cost_winston IS
'Sum of the batches'' Arweave costs in winston.';
COMMENT ON COLUMN batch_statistics.avg_completion_time IS
'Average time from creation to completion of the completed batches.';
