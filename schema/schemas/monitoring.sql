-- Operator views and functions over PostgreSQL's statistics (sizes, index usage,
-- connections, slow queries), kept apart from the application's tables in public.
-- Only the owner uses it: no USAGE for blockchain_service or PUBLIC.
CREATE SCHEMA monitoring;

ALTER SCHEMA monitoring OWNER TO memory_owner;

COMMENT ON SCHEMA monitoring IS
'Operator monitoring: table_sizes, index_usage, connection_counts and slow_queries(). Owner only.';
