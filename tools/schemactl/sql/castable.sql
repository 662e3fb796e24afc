-- Whether PostgreSQL can convert a column's values to a type at all (any cast, I/O conversion
-- through a string type, enums, domains and arrays left to the server). Parameters: the
-- table (regclass text), the column name, the new type's name.
WITH old AS (
    SELECT t.oid, t.typcategory, t.typtype, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS base
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = %(table)s::regclass AND a.attname = %(column)s
), new AS (
    SELECT t.oid, t.typcategory, t.typtype, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END AS base
    FROM pg_type t WHERE t.oid = to_regtype(%(type)s)
)
SELECT format_type(old.oid, NULL),
       old.base = new.base
       OR EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource = old.base AND c.casttarget = new.base)
       OR 'S' IN (old.typcategory, new.typcategory) OR 'A' IN (old.typcategory, new.typcategory)
       OR 'e' IN (old.typtype, new.typtype)
FROM old, new
