-- Size of every user table (the description's "Table sizes" metric), largest first.
-- Bytes for sorting and alerting, pg_size_pretty text for reading. All user schemas are
-- listed (public and the archive alike); filter with WHERE schemaname = 'public'.
CREATE VIEW monitoring.table_sizes WITH (security_invoker = TRUE) AS
SELECT
    n.nspname AS schemaname,
    c.relname AS tablename,
    -- Planner estimate from the last ANALYZE (-1: never analyzed); exact counts cost a scan.
    c.reltuples::bigint AS row_estimate,
    pg_total_relation_size(c.oid) AS total_bytes,
    -- Heap plus TOAST, free space and visibility maps.
    pg_table_size(c.oid) AS table_bytes,
    pg_indexes_size(c.oid) AS index_bytes,
    pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size
FROM pg_class AS c
INNER JOIN pg_namespace AS n ON c.relnamespace = n.oid
WHERE
    c.relkind IN ('r', 'p', 'm')
    AND n.nspname <> 'information_schema'
    AND n.nspname !~ '^pg_'
ORDER BY total_bytes DESC, schemaname ASC, tablename ASC;

ALTER VIEW monitoring.table_sizes OWNER TO memory_owner;

COMMENT ON VIEW monitoring.table_sizes IS
'Size of every user table, largest first: total, table (heap, TOAST, maps) and index bytes, the estimated row count, and a readable total.';
COMMENT ON COLUMN monitoring.table_sizes.row_estimate IS
'Rows as estimated by the last ANALYZE (-1 if the table was never analyzed).';
COMMENT ON COLUMN monitoring.table_sizes.total_bytes IS
'pg_total_relation_size: table, TOAST and all indexes.';
