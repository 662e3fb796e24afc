-- Objects the diff engine cannot compare: each is reported by name as a hard error.
WITH ext_members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT 'range type', quote_ident(n.nspname) || '.' || quote_ident(t.typname)
FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
WHERE t.typtype IN ('r', 'm') AND t.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_type'::regclass)
UNION ALL
SELECT 'rule', quote_ident(r.rulename) || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN user_ns n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'
UNION ALL
SELECT 'event trigger', quote_ident(evtname) FROM pg_event_trigger
WHERE oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_event_trigger'::regclass)
UNION ALL
SELECT 'publication', quote_ident(pubname) FROM pg_publication
UNION ALL
SELECT 'foreign table', quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace WHERE c.relkind = 'f'
UNION ALL
SELECT 'aggregate', quote_ident(n.nspname) || '.' || quote_ident(p.proname)
FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
WHERE p.prokind = 'a' AND p.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_proc'::regclass)
UNION ALL
SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname
FROM pg_operator o JOIN user_ns n ON n.oid = o.oprnamespace
WHERE o.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_operator'::regclass)
UNION ALL
SELECT 'statistics object', quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
FROM pg_statistic_ext s JOIN user_ns n ON n.oid = s.stxnamespace
UNION ALL
SELECT 'text search configuration', quote_ident(n.nspname) || '.' || quote_ident(c.cfgname)
FROM pg_ts_config c JOIN user_ns n ON n.oid = c.cfgnamespace
WHERE c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_ts_config'::regclass)
UNION ALL
SELECT 'cast', format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL)
FROM pg_cast c WHERE c.oid >= 16384
  AND c.oid NOT IN (SELECT objid FROM ext_members WHERE classid = 'pg_cast'::regclass)
UNION ALL
-- schemainspect keys a parent table by a name it quotes without doubling embedded quotes.
SELECT 'parent table with a double quote in its name', quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.oid IN (SELECT inhparent FROM pg_inherits) AND position('"' IN n.nspname || c.relname) > 0
ORDER BY 1, 2
