-- Facts about declarative partitioning that migra gets wrong (it treats the indexes and
-- constraints a partition inherits as its own). Columns: fact, object, name, definition.
WITH user_ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname !~ '^pg_(toast_)?temp_'
      AND nspname <> ALL(%(excluded)s)
)
SELECT 'inherited_index', n.nspname || '.' || c.relname, pn.nspname || '.' || p.relname, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relkind IN ('i', 'I') AND c.relispartition
UNION ALL
SELECT 'partitioned_index', n.nspname || '.' || c.relname, NULL, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'I'
UNION ALL
SELECT 'inherited_constraint', n.nspname || '.' || c.relname, con.conname, NULL
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN user_ns n ON n.oid = c.relnamespace
WHERE con.conparentid <> 0 OR (c.relispartition AND con.coninhcount > 0) OR (con.coninhcount > 0 AND NOT con.conislocal)
UNION ALL
SELECT 'partitioned_constraint', n.nspname || '.' || c.relname, con.conname, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'p' AND con.contype IN ('p', 'u', 'x', 'f')
UNION ALL
SELECT 'partitioned_table', n.nspname || '.' || c.relname, NULL, pg_get_partkeydef(c.oid)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'p'
UNION ALL
-- An index of its own (no constraint's, no parent's), with its definition.
SELECT 'local_index', n.nspname || '.' || c.relname, NULL, pg_get_indexdef(c.oid)
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'i' AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid AND k.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 'constraint_index', n.nspname || '.' || c.relname, k.conname, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
JOIN pg_constraint k ON k.conindid = c.oid AND k.contype IN ('p', 'u', 'x') AND k.conrelid = (
    SELECT i.indrelid FROM pg_index i WHERE i.indexrelid = c.oid)
WHERE c.relkind = 'i'
UNION ALL
SELECT 'plain_table', n.nspname || '.' || c.relname, NULL, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
UNION ALL
SELECT 'partition', n.nspname || '.' || c.relname, pn.nspname || '.' || p.relname, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND c.relispartition
UNION ALL
-- The table of a partition's index that comes from its parent's (it stays, as the table's own,
-- when the partition is detached).
SELECT 'partition_index', n.nspname || '.' || c.relname, tn.nspname || '.' || t.relname, NULL
FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE c.relkind = 'i' AND c.relispartition
UNION ALL
-- A trigger a partition has because its parent has it (created and dropped with the parent's).
SELECT 'inherited_trigger', n.nspname || '.' || c.relname, tg.tgname, NULL
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN user_ns n ON n.oid = c.relnamespace
WHERE tg.tgparentid <> 0 AND NOT tg.tgisinternal
ORDER BY 1, 2, 3
