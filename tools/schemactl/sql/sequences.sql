-- Options of free-standing and serial sequences (migra creates them with defaults and never
-- diffs their options); identity sequences belong to their column and are left out.
-- Columns: identity, data type, start, increment, min, max, cache, cycle.
SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename), format_type(q.seqtypid, NULL),
       q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
FROM pg_sequences s
JOIN pg_class c ON c.relname = s.sequencename
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
JOIN pg_sequence q ON q.seqrelid = c.oid
WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
  AND s.schemaname <> ALL(%(excluded)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.deptype IN ('i', 'e'))
ORDER BY 1
