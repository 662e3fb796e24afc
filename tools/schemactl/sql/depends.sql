-- The dependency graph pg_depend records between user objects, as keys the plan's
-- statements can be matched with: rel:, col:, con:, func:, type:, index:, policy:, trigger:.
-- Columns: dependent key, referenced key. Dependencies on system objects are left out.
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
), keyed AS (
    -- A sequence OWNED BY a column is not something the column needs: it goes when its table
    -- goes (a later DROP SEQUENCE IF EXISTS is a no-op), while the column's default needs the
    -- sequence. Such rows come out as owned:<sequence key>, so the plan orders drops by them.
    SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid,
           (d.deptype = 'a' AND d.classid = 'pg_class'::regclass AND d.refobjsubid > 0
            AND EXISTS (SELECT FROM pg_class s WHERE s.oid = d.objid AND s.relkind = 'S')) AS owned
    FROM pg_depend d
    WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384
), rel_key AS (
    SELECT c.oid, n.nspname || '.' || c.relname AS name, c.relkind
    FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
), obj AS (
    -- Every object kind a dependency can start or end at, with its key (column keys by subid).
    SELECT 'pg_class'::regclass AS classid, r.oid AS objid, 0 AS subid,
           CASE WHEN r.relkind IN ('i', 'I') THEN 'index:' ELSE 'rel:' END || r.name AS key, NULL::text AS rel
    FROM rel_key r
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum, 'col:' || r.name || '.' || a.attname, 'rel:' || r.name
    FROM pg_attribute a JOIN rel_key r ON r.oid = a.attrelid WHERE a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid, 0, 'func:' || n.nspname || '.' || p.proname, NULL
    FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid, 0,
           CASE WHEN t.typrelid <> 0 THEN 'rel:' ELSE 'type:' END || n.nspname || '.' ||
           coalesce((SELECT c.relname FROM pg_class c WHERE c.oid = t.typrelid), t.typname), NULL
    FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
    UNION ALL
    SELECT 'pg_constraint'::regclass, con.oid, 0,
           CASE WHEN con.conrelid <> 0 THEN 'con:' || r.name || '.' || con.conname
                ELSE 'type:' || tn.nspname || '.' || t.typname END,
           CASE WHEN con.conrelid <> 0 THEN 'rel:' || r.name END
    FROM pg_constraint con
    LEFT JOIN rel_key r ON r.oid = con.conrelid
    LEFT JOIN pg_type t ON t.oid = con.contypid LEFT JOIN pg_namespace tn ON tn.oid = t.typnamespace
    WHERE r.oid IS NOT NULL OR tn.oid IN (SELECT oid FROM user_ns)
    UNION ALL
    SELECT 'pg_attrdef'::regclass, ad.oid, 0, 'col:' || r.name || '.' || a.attname, 'rel:' || r.name
    FROM pg_attrdef ad JOIN rel_key r ON r.oid = ad.adrelid
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    UNION ALL
    SELECT 'pg_policy'::regclass, pol.oid, 0, 'policy:' || r.name || '.' || pol.polname, 'rel:' || r.name
    FROM pg_policy pol JOIN rel_key r ON r.oid = pol.polrelid
    UNION ALL
    SELECT 'pg_trigger'::regclass, tg.oid, 0, 'trigger:' || r.name || '.' || tg.tgname, 'rel:' || r.name
    FROM pg_trigger tg JOIN rel_key r ON r.oid = tg.tgrelid WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'pg_rewrite'::regclass, rw.oid, 0, 'rel:' || r.name, NULL
    FROM pg_rewrite rw JOIN rel_key r ON r.oid = rw.ev_class
)
SELECT DISTINCT CASE WHEN k.owned THEN 'owned:' || dep.key ELSE dep.key END, ref.key, dep.rel
FROM keyed k
JOIN obj dep ON dep.classid = k.classid AND dep.objid = k.objid AND dep.subid = k.objsubid
JOIN obj ref ON ref.classid = k.refclassid AND ref.objid = k.refobjid AND ref.subid = k.refobjsubid
WHERE dep.key <> ref.key
ORDER BY 1, 2
