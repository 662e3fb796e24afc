-- Privileges migra does not diff: on schemas, functions, sequences, columns, and views
-- (migra only diffs the table privileges of base tables), and base tables' grant options.
-- Columns: object kind (as in GRANT ... ON), identity, grantee ('PUBLIC' for public),
-- privilege, grantable. The owner's implicit privileges are left out.
WITH ext_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
    SELECT oid, nspname, nspowner, nspacl FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
), grants AS (
    SELECT 'SCHEMA' AS kind, quote_ident(n.nspname) AS identity, n.nspowner AS owner,
           (aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner)))).*
    FROM user_ns n
    UNION ALL
    SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
           quote_ident(n.nspname) || '.' || quote_ident(p.proname)
           || '(' || pg_get_function_identity_arguments(p.oid) || ')', p.proowner,
           (aclexplode(coalesce(p.proacl, acldefault('f', p.proowner)))).*
    FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
    WHERE p.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_proc'::regclass)
    UNION ALL
    SELECT 'SEQUENCE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner,
           (aclexplode(coalesce(c.relacl, acldefault('s', c.relowner)))).*
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind = 'S'
      AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
    UNION ALL
    SELECT 'TABLE', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner,
           (aclexplode(coalesce(c.relacl, acldefault('r', c.relowner)))).*
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm')
      AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
    UNION ALL
    -- migra diffs the privileges of base tables but not their grant options.
    SELECT 'TABLE OPTION', quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relowner, g.*
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL aclexplode(c.relacl) AS g
    WHERE c.relkind IN ('r', 'p') AND g.is_grantable
      AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_class'::regclass)
    UNION ALL
    SELECT 'COLUMN', quote_ident(n.nspname) || '.' || quote_ident(c.relname) || '.' || quote_ident(a.attname),
           c.relowner, (aclexplode(a.attacl)).*
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE a.attacl IS NOT NULL
)
SELECT kind, identity, CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(grantee) END,
       privilege_type, is_grantable
FROM grants
WHERE grantee <> owner
ORDER BY 1, 2, 3, 4
