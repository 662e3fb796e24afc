-- Index usage (the description's "Check index usage"), least used first: the candidates
-- for dropping come first, with their size so the cost of keeping them is visible.
-- Counters are cumulative since the last statistics reset (pg_stat_reset()).
CREATE VIEW monitoring.index_usage WITH (security_invoker = TRUE) AS
-- Indexes whose leading columns are exactly a foreign key's: deletes and key updates on the
-- referenced table go through them, even if no query of the application does.
WITH foreign_key_indexes AS (
    SELECT DISTINCT i.indexrelid
    FROM pg_index AS i
    INNER JOIN pg_constraint AS c ON i.indrelid = c.conrelid AND c.contype = 'f'
    WHERE
        (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey
        AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey
)

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
    fk.indexrelid IS NOT NULL AS supports_foreign_key,
    -- Unique indexes enforce constraints and foreign-key indexes keep deletes on the referenced
    -- table from scanning, even when no query scans them: neither is a candidate to drop.
    (s.idx_scan = 0 AND NOT i.indisunique AND fk.indexrelid IS NULL) AS unused
FROM pg_stat_user_indexes AS s
INNER JOIN pg_index AS i ON s.indexrelid = i.indexrelid
LEFT JOIN foreign_key_indexes AS fk ON s.indexrelid = fk.indexrelid
ORDER BY s.idx_scan ASC, index_bytes DESC, s.schemaname ASC, indexname ASC;

ALTER VIEW monitoring.index_usage OWNER TO memory_owner;

COMMENT ON VIEW monitoring.index_usage IS
'Scans and tuples read per user index since the last statistics reset, least used first, with index size; unused marks non-unique indexes never scanned.';
COMMENT ON COLUMN monitoring.index_usage.unused IS
'TRUE for a non-unique index, not serving a foreign key, with no scans since the last statistics reset: a candidate to drop.';
COMMENT ON COLUMN monitoring.index_usage.supports_foreign_key IS
'TRUE when the index leads with exactly the columns of a foreign key of its table: keep it, deletes on the referenced table need it.';
