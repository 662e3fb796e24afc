-- Slowest statements of this database by mean execution time (the description's "Query
-- performance"), from pg_stat_statements when it is available. The extension is optional:
-- it is reached through dynamic SQL only, so this schema builds without it, and the
-- function answers with a NOTICE and no rows when the extension is not installed or not
-- loaded (it needs shared_preload_libraries). Column names are those of PostgreSQL 13+
-- (total_exec_time, mean_exec_time).
CREATE FUNCTION monitoring.slow_queries(max_rows integer DEFAULT 20)
RETURNS TABLE (
    query text,
    calls bigint,
    total_exec_ms double precision,
    mean_exec_ms double precision,
    max_exec_ms double precision,
    rows_returned bigint
)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    extension_schema name;
BEGIN
    SELECT n.nspname INTO extension_schema
    FROM pg_extension AS e
    INNER JOIN pg_namespace AS n ON e.extnamespace = n.oid
    WHERE e.extname = 'pg_stat_statements';
    IF extension_schema IS NULL THEN
        RAISE NOTICE 'monitoring.slow_queries: pg_stat_statements is not installed; '
            'add it to shared_preload_libraries, restart, and CREATE EXTENSION pg_stat_statements';
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.max_exec_time, s.rows
         FROM %I.pg_stat_statements AS s
         WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
         ORDER BY s.mean_exec_time DESC
         LIMIT $1',
        extension_schema
    ) USING max_rows;
EXCEPTION
    -- Installed but not loaded: "pg_stat_statements must be loaded via shared_preload_libraries".
    WHEN object_not_in_prerequisite_state THEN
        RAISE NOTICE 'monitoring.slow_queries: %; add pg_stat_statements to shared_preload_libraries '
            'and restart the server', SQLERRM;
        RETURN;
END
$$;

ALTER FUNCTION monitoring.slow_queries(integer) OWNER TO memory_owner;

COMMENT ON FUNCTION monitoring.slow_queries(integer) IS
'Top max_rows statements of the current database by mean execution time, from pg_stat_statements; a NOTICE and no rows when the extension is not installed or not loaded.';

REVOKE EXECUTE ON FUNCTION monitoring.slow_queries(integer) FROM PUBLIC;
