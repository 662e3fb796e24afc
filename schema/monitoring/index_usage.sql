-- Index usage (the description's "Check index usage"), least used first: the candidates
-- for dropping come first, with their size so the cost of keeping them is visible.
-- Counters are cumulative since the last statistics reset (pg_stat_reset()).
CREATE VIEW monitoring.index_usage WITH (security_invoker = TRUE) AS
SELECT
    s.schemaname,
    s.relname AS tablename,
    s.indexrelname AS indexname,
    s.idx_scan,
    s.idx_tup_read,
    s.idx_tup_fetch,
    i.indisunique AS is_unique,
    i.indisprimary AS is_primary,
    pg_relation_size(s.indexrelid) AS index_bytes,
    pg_size_pretty(pg_relation_size(s.indexrelid)) AS index_size,
    -- Unique indexes enforce constraints even when no query scans them.
    (s.idx_scan = 0 AND NOT i.indisunique) AS unused
FROM pg_stat_user_indexes AS s
INNER JOIN pg_index AS i ON s.indexrelid = i.indexrelid
ORDER BY s.idx_scan ASC, index_bytes DESC, s.schemaname ASC, indexname ASC;

ALTER VIEW monitoring.index_usage OWNER TO memory_owner;

COMMENT ON VIEW monitoring.index_usage IS
'Scans and tuples read per user index since the last statistics reset, least used first, with index size; unused marks non-unique indexes never scanned.';
COMMENT ON COLUMN monitoring.index_usage.unused IS
'TRUE for a non-unique index with no scans since the last statistics reset: a candidate to drop.';
