-- Views sort before the tables they read: file order must not matter.
CREATE VIEW wallet_summary WITH (security_invoker = TRUE) AS
WITH asset_totals AS (
    SELECT a.owner_address, count(*) AS total_assets
    FROM assets AS a
    GROUP BY a.owner_address
)
SELECT
    t.owner_address,
    t.total_assets,
    count(b.batch_id) AS batch_count
FROM asset_totals AS t
LEFT JOIN app.batches AS b ON b.owner_address = t.owner_address
GROUP BY t.owner_address, t.total_assets;

COMMENT ON COLUMN wallet_summary.batch_count IS 'Batches of the wallet.';
GRANT SELECT ON TABLE wallet_summary TO service;

CREATE MATERIALIZED VIEW daily_assets AS
SELECT a.created_at::date AS day, count(*) AS minted
FROM assets AS a
GROUP BY a.created_at::date;

CREATE UNIQUE INDEX daily_assets_day_idx ON daily_assets (day);
