-- Per-wallet minting statistics: assets owned, batches requested, costs incurred.
-- Each source is aggregated on its own before joining, so the counts do not multiply.
-- Every CTE is referenced once and therefore inlined: WHERE owner_address = ? is pushed
-- down to each source's wallet index.
-- security_invoker: memory_assets' row-level security applies to the caller.
CREATE VIEW user_statistics WITH (security_invoker = TRUE) AS
WITH asset_totals AS (
    SELECT
        ma.owner_address,
        count(*) AS total_assets,
        count(*) FILTER (WHERE ma.status = 'active') AS active_assets,
        min(ma.created_at) AS first_asset_at,
        max(ma.created_at) AS last_asset_at
    FROM memory_assets AS ma
    GROUP BY ma.owner_address
),

batch_totals AS (
    SELECT
        mb.owner_address,
        count(*) AS total_batches,
        count(*) FILTER (WHERE mb.status = 'completed') AS completed_batches,
        count(*) FILTER (WHERE mb.status = 'failed') AS failed_batches,
        max(mb.created_at) AS last_batch_at
    FROM memory_batches AS mb
    GROUP BY mb.owner_address
),

cost_totals AS (
    SELECT
        ct.wallet_address AS owner_address,
        count(*) AS paid_operations,
        sum(ct.total_cost_lamports) AS total_cost_lamports,
        sum(ct.solana_fee_lamports) AS total_solana_fee_lamports,
        sum(ct.arweave_cost_winston) AS total_arweave_cost_winston
    FROM cost_tracking AS ct
    GROUP BY ct.wallet_address
),

-- From the tables, not the CTEs above: a CTE referenced twice would be materialized,
-- and a filter on owner_address could no longer reach the indexes.
wallets AS (
    SELECT ma.owner_address FROM memory_assets AS ma
    UNION
    SELECT mb.owner_address FROM memory_batches AS mb
    UNION
    SELECT ct.wallet_address FROM cost_tracking AS ct
)

SELECT
    w.owner_address,
    a.first_asset_at,
    a.last_asset_at,
    b.last_batch_at,
    coalesce(a.total_assets, 0) AS total_assets,
    coalesce(a.active_assets, 0) AS active_assets,
    coalesce(b.total_batches, 0) AS total_batches,
    coalesce(b.completed_batches, 0) AS completed_batches,
    coalesce(b.failed_batches, 0) AS failed_batches,
    coalesce(c.paid_operations, 0) AS paid_operations,
    coalesce(c.total_cost_lamports, 0) AS total_cost_lamports,
    coalesce(c.total_solana_fee_lamports, 0) AS total_solana_fee_lamports,
    coalesce(c.total_arweave_cost_winston, 0) AS total_arweave_cost_winston
FROM wallets AS w
LEFT JOIN asset_totals AS a ON w.owner_address = a.owner_address
LEFT JOIN batch_totals AS b ON w.owner_address = b.owner_address
LEFT JOIN cost_totals AS c ON w.owner_address = c.owner_address;

ALTER VIEW user_statistics OWNER TO memory_owner;

COMMENT ON VIEW user_statistics IS
'Per-wallet statistics: assets owned (as visible to the caller under row-level security), batches requested, paid operations and their costs.';
COMMENT ON COLUMN user_statistics.owner_address IS
'Base58 wallet: an asset owner, a batch requester or a wallet with recorded costs.';
COMMENT ON COLUMN user_statistics.paid_operations IS
'Number of cost_tracking records of the wallet.';
COMMENT ON COLUMN user_statistics.total_cost_lamports IS
'Sum of cost_tracking.total_cost_lamports of the wallet.';
COMMENT ON COLUMN user_statistics.total_arweave_cost_winston IS
'Sum of the wallet''s Arweave costs in winston.';
