-- Comments on objects of the database (not extension members); one row per object.
-- Columns: object kind (as in COMMENT ON), the object's SQL identity, the comment.
-- Every object is listed, with NULL where it has no comment: absence means no object.
WITH ext_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT 'SCHEMA', quote_ident(n.nspname), d.description
FROM user_ns n LEFT JOIN pg_description d ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      WHEN 'i' THEN 'INDEX' WHEN 'I' THEN 'INDEX' ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname), d.description
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I', 'f') AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
UNION ALL
SELECT 'COLUMN', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
       d.description
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname)
       || '(' || pg_get_function_identity_arguments(p.oid) || ')', d.description
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass
WHERE p.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_proc'::regclass)
UNION ALL
SELECT 'TRIGGER', quote_ident(t.tgname) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       d.description
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN user_ns n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass
WHERE NOT t.tgisinternal
UNION ALL
SELECT 'POLICY', quote_ident(p.polname) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       d.description
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN user_ns n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.objoid = p.oid AND d.classoid = 'pg_policy'::regclass
UNION ALL
SELECT 'CONSTRAINT', quote_ident(k.conname) || ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       d.description
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN user_ns n ON n.oid = c.relnamespace
LEFT JOIN pg_description d ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass
ORDER BY 1, 2
