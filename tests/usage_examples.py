"""The four queries of the description's "Usage Examples", verbatim.

'wallet_address_here' is the description's placeholder for a wallet. Shared by the schema
tests and bench/bench_queries.py.
"""

PLACEHOLDER = "'wallet_address_here'"
USAGE_EXAMPLES = {
    "user_assets": """SELECT * FROM memory_assets
WHERE owner_address = 'wallet_address_here'
ORDER BY created_at DESC;""",
    "batch_statistics": """SELECT * FROM batch_statistics
WHERE date >= CURRENT_DATE - INTERVAL '30 days';""",
    "active_grants": """SELECT ag.*, ma.owner_address
FROM access_grants ag
JOIN memory_assets ma ON ag.asset_id = ma.asset_id
WHERE ag.grantee_address = 'wallet_address_here'
  AND ag.revoked_at IS NULL
  AND (ag.expires_at IS NULL OR ag.expires_at > NOW());""",
    "costs_over_time": """SELECT 
  DATE_TRUNC('day', timestamp) as date,
  COUNT(*) as operations,
  SUM(total_cost_lamports) as total_cost,
  AVG(total_cost_lamports) as avg_cost
FROM cost_tracking
WHERE wallet_address = 'wallet_address_here'
GROUP BY DATE_TRUNC('day', timestamp)
ORDER BY date DESC;""",
}
