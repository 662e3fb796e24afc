-- Options of identity columns' sequences (migra diffs only ALWAYS / BY DEFAULT).
-- Columns: table identity, column name (quoted), type, start, increment, min, max, cache, cycle.
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), quote_ident(a.attname),
       format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid AND d.refobjsubid = a.attnum
                AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
JOIN pg_sequence q ON q.seqrelid = d.objid
WHERE a.attidentity <> '' AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname <> ALL(%(excluded)s)
ORDER BY 1, 2
