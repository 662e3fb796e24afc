-- Owners of the database's own objects (extension members and implicit objects left out).
-- Columns: object kind (as in ALTER ... OWNER TO), the object's SQL identity, the owner.
WITH ext_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
    SELECT oid, nspname, nspowner FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT 'SCHEMA', quote_ident(n.nspname), pg_get_userbyid(n.nspowner)
FROM user_ns n
WHERE n.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_namespace'::regclass)
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                      ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_userbyid(c.relowner)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
  -- sequences behind identity / serial columns follow their table
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_class'::regclass
                  AND dep.objid = c.oid AND dep.deptype IN ('a', 'i') AND c.relkind = 'S')
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
       quote_ident(n.nspname) || '.' || quote_ident(p.proname)
       || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_userbyid(p.proowner)
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
WHERE p.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_proc'::regclass)
ORDER BY 1, 2
