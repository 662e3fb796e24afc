-- Domains: identity, base type, collation (when not the base type's), default, NOT NULL,
-- CHECK constraints as {name, definition} pairs by name, and the comment.
WITH ext_members AS (
    SELECT objid FROM pg_depend WHERE deptype = 'e' AND classid = 'pg_type'::regclass
), user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname),
       format_type(t.typbasetype, t.typtypmod),
       CASE WHEN t.typcollation <> 0 AND t.typcollation <> b.typcollation
            THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
       t.typdefault,
       t.typnotnull,
       coalesce((SELECT array_agg(ARRAY[c.conname::text, pg_get_constraintdef(c.oid)] ORDER BY c.conname)
                 FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'), '{}'),
       obj_description(t.oid, 'pg_type')
FROM pg_type t
JOIN user_ns n ON n.oid = t.typnamespace
JOIN pg_type b ON b.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd' AND t.oid NOT IN (SELECT objid FROM ext_members)
ORDER BY 1
