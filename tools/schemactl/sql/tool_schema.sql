-- Everything in the tool's own schema (%(schema)s) and on it, for the tool-schema check
-- (toolschema.py compares it with what the migration runner creates). Run with
-- search_path = pg_catalog, pg_temp: regprocedure, regoperator and format_type then qualify
-- every name in the tool's schema.
-- Columns: family, name (catalog spelling: regprocedure, regoperator, format_type; bare
-- names otherwise), parent (the relation a part belongs to, else ''), detail, oid order.
-- Members of an extension are reported through their extension; the parts of a relation
-- other than the tracking table (columns, triggers, ...) go with the relation.
WITH ns AS (
    SELECT oid, nspname, nspowner, nspacl FROM pg_namespace WHERE nspname = %(schema)s
), members AS (
    SELECT classid, objid FROM pg_depend WHERE deptype = 'e'
), tracking AS (
    SELECT c.oid, c.relname FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relname = %(table)s AND c.relkind = 'r'
)
SELECT 'schema owner', ns.nspname, '', pg_get_userbyid(ns.nspowner), 0::bigint FROM ns
UNION ALL
SELECT 'schema acl', ns.nspname, '',
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 0
FROM ns CROSS JOIN LATERAL aclexplode(ns.nspacl) a WHERE a.grantee <> ns.nspowner
UNION ALL
SELECT 'relation', c.relname, '', c.relkind::text, c.oid::bigint
FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
WHERE c.relkind <> 'c'
  AND c.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  -- an index that implements a constraint goes with the constraint
  AND c.oid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 'table owner', t.relname, '', pg_get_userbyid(c.relowner), 0
FROM tracking t JOIN pg_class c ON c.oid = t.oid
UNION ALL
SELECT 'table acl', t.relname, '',
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, 0
FROM tracking t JOIN pg_class c ON c.oid = t.oid CROSS JOIN LATERAL aclexplode(c.relacl) a
WHERE a.grantee <> c.relowner
UNION ALL
SELECT 'table option', t.relname, '', o.option, 0
FROM tracking t JOIN pg_class c ON c.oid = t.oid
CROSS JOIN LATERAL (VALUES ('row level security', c.relrowsecurity),
                           ('force row level security', c.relforcerowsecurity),
                           ('unlogged', c.relpersistence = 'u'),
                           ('replica identity', c.relreplident <> 'd')) AS o(option, set)
WHERE o.set
UNION ALL
SELECT 'table storage', t.relname, '', split_part(o.option, '=', 1), 0
FROM tracking t JOIN pg_class c ON c.oid = t.oid CROSS JOIN LATERAL unnest(c.reloptions) AS o(option)
UNION ALL
SELECT 'table parent', t.relname, CASE WHEN c.relispartition THEN 'partition' ELSE 'inherits' END,
       quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), 0
FROM tracking t JOIN pg_class c ON c.oid = t.oid JOIN pg_inherits i ON i.inhrelid = t.oid
JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
UNION ALL
SELECT 'column', a.attname, t.relname,
       pg_catalog.format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || CASE WHEN a.attcollation <> ty.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
       || CASE WHEN a.attidentity <> '' THEN ' IDENTITY' ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' ELSE '' END
       -- last: everything after ' DEFAULT ' is the default
       || coalesce(' DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''),
       a.attnum::bigint
FROM tracking t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT 'column acl', a.attname, t.relname,
       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee) END, a.attnum::bigint
FROM tracking t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN LATERAL aclexplode(a.attacl) g
UNION ALL
SELECT 'constraint', con.conname, t.relname, pg_catalog.pg_get_constraintdef(con.oid), con.oid::bigint
FROM tracking t JOIN pg_constraint con ON con.conrelid = t.oid
WHERE con.contype <> 'n'
UNION ALL
SELECT 'trigger', tg.tgname, t.relname, '', tg.oid::bigint
FROM tracking t JOIN pg_trigger tg ON tg.tgrelid = t.oid WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'policy', p.polname, t.relname, '', p.oid::bigint
FROM tracking t JOIN pg_policy p ON p.polrelid = t.oid
UNION ALL
SELECT 'rule', r.rulename, t.relname, '', r.oid::bigint
FROM tracking t JOIN pg_rewrite r ON r.ev_class = t.oid
UNION ALL
SELECT 'statistics', s.stxname, '', '', s.oid::bigint
FROM pg_statistic_ext s JOIN ns ON ns.oid = s.stxnamespace
UNION ALL
SELECT 'function', p.oid::regprocedure::text, '', p.prokind::text, p.oid::bigint
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
WHERE p.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
UNION ALL
SELECT 'type', pg_catalog.format_type(ty.oid, NULL), '', ty.typtype::text, ty.oid::bigint
FROM pg_type ty JOIN ns ON ns.oid = ty.typnamespace
WHERE ty.typtype <> 'm'  -- a multirange goes with its range
  AND ty.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
  -- a relation's row type goes with the relation (a composite type's is the type itself)
  AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = ty.typrelid AND c.relkind <> 'c')
  -- an array type goes with its element type
  AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = ty.oid)
UNION ALL
SELECT 'operator', o.oid::regoperator::text, '', '', o.oid::bigint
FROM pg_operator o JOIN ns ON ns.oid = o.oprnamespace
WHERE o.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_operator'::regclass)
UNION ALL
SELECT 'operator class', c.opcname, '', am.amname, c.oid::bigint
FROM pg_opclass c JOIN ns ON ns.oid = c.opcnamespace JOIN pg_am am ON am.oid = c.opcmethod
WHERE c.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_opclass'::regclass)
UNION ALL
SELECT 'operator family', f.opfname, '', am.amname, f.oid::bigint
FROM pg_opfamily f JOIN ns ON ns.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
WHERE f.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_opfamily'::regclass)
UNION ALL
SELECT 'collation', c.collname, '', '', c.oid::bigint
FROM pg_collation c JOIN ns ON ns.oid = c.collnamespace
WHERE c.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_collation'::regclass)
UNION ALL
SELECT 'conversion', c.conname, '', '', c.oid::bigint
FROM pg_conversion c JOIN ns ON ns.oid = c.connamespace
WHERE c.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_conversion'::regclass)
UNION ALL
SELECT 'text search configuration', c.cfgname, '', '', c.oid::bigint
FROM pg_ts_config c JOIN ns ON ns.oid = c.cfgnamespace
WHERE c.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_ts_config'::regclass)
UNION ALL
SELECT 'text search dictionary', d.dictname, '', '', d.oid::bigint
FROM pg_ts_dict d JOIN ns ON ns.oid = d.dictnamespace
WHERE d.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_ts_dict'::regclass)
UNION ALL
SELECT 'text search template', tt.tmplname, '', '', tt.oid::bigint
FROM pg_ts_template tt JOIN ns ON ns.oid = tt.tmplnamespace
WHERE tt.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_ts_template'::regclass)
UNION ALL
SELECT 'text search parser', p.prsname, '', '', p.oid::bigint
FROM pg_ts_parser p JOIN ns ON ns.oid = p.prsnamespace
WHERE p.oid NOT IN (SELECT objid FROM members WHERE classid = 'pg_ts_parser'::regclass)
UNION ALL
-- an extension installed into the schema, or one with members there
SELECT DISTINCT 'extension', e.extname, '', '', e.oid::bigint
FROM pg_extension e
WHERE e.extnamespace IN (SELECT oid FROM ns)
   OR e.oid IN (SELECT dep.refobjid FROM pg_depend dep
                JOIN pg_class c ON dep.classid = 'pg_class'::regclass AND c.oid = dep.objid
                WHERE dep.deptype = 'e' AND c.relnamespace IN (SELECT oid FROM ns)
                UNION
                SELECT dep.refobjid FROM pg_depend dep
                JOIN pg_proc p ON dep.classid = 'pg_proc'::regclass AND p.oid = dep.objid
                WHERE dep.deptype = 'e' AND p.pronamespace IN (SELECT oid FROM ns)
                UNION
                SELECT dep.refobjid FROM pg_depend dep
                JOIN pg_type ty ON dep.classid = 'pg_type'::regclass AND ty.oid = dep.objid
                WHERE dep.deptype = 'e' AND ty.typnamespace IN (SELECT oid FROM ns))
UNION ALL
SELECT 'default privileges', pg_get_userbyid(d.defaclrole), '',
       d.defaclobjtype::text || ' ' || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
       d.oid::bigint
FROM pg_default_acl d JOIN ns ON ns.oid = d.defaclnamespace CROSS JOIN LATERAL aclexplode(d.defaclacl) a
UNION ALL
SELECT 'comment', CASE WHEN dsc.classoid = 'pg_namespace'::regclass THEN 'schema'
                       WHEN dsc.classoid = 'pg_constraint'::regclass THEN 'constraint'
                       WHEN dsc.objsubid <> 0 THEN 'column'
                       WHEN c.relkind = 'i' THEN 'index' ELSE 'table' END,
       coalesce(c.relname, ''),
       coalesce(con.conname, att.attname, ns.nspname), 0
FROM pg_description dsc
LEFT JOIN ns ON dsc.classoid = 'pg_namespace'::regclass AND dsc.objoid = ns.oid
LEFT JOIN pg_constraint con ON dsc.classoid = 'pg_constraint'::regclass AND con.oid = dsc.objoid
LEFT JOIN pg_class c ON c.oid = CASE WHEN dsc.classoid = 'pg_class'::regclass THEN dsc.objoid ELSE con.conrelid END
LEFT JOIN pg_attribute att ON dsc.classoid = 'pg_class'::regclass AND att.attrelid = dsc.objoid
                          AND att.attnum = dsc.objsubid AND dsc.objsubid <> 0
WHERE ns.oid IS NOT NULL
   OR (c.oid IN (SELECT oid FROM tracking)
       OR c.oid IN (SELECT conindid FROM pg_constraint WHERE conrelid IN (SELECT oid FROM tracking)))
      AND (dsc.classoid <> 'pg_constraint'::regclass OR con.conrelid IN (SELECT oid FROM tracking))
ORDER BY 1, 5, 2
