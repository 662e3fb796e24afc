-- Relation settings migra does not diff: reloptions (e.g. a view's security_invoker),
-- FORCE ROW LEVEL SECURITY, row-level security of partitions (migra compares it for tables only)
-- and REPLICA IDENTITY (other than DEFAULT). Columns: kind, identity, option name, value.
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       split_part(o.option, '=', 1), substr(o.option, length(split_part(o.option, '=', 1)) + 2)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(c.reloptions) AS o(option)
WHERE c.relkind IN ('r', 'p', 'v', 'm')
UNION ALL
SELECT 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'force_row_level_security', 'true'
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relforcerowsecurity
UNION ALL
SELECT 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'partition_row_level_security', 'true'
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relispartition AND c.relrowsecurity
UNION ALL
SELECT 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), 'replica_identity',
       CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
            ELSE 'USING INDEX ' || (SELECT quote_ident(ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                                    WHERE i.indrelid = c.oid AND i.indisreplident) END
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relreplident <> 'd'
ORDER BY 1, 2, 3
