CREATE FUNCTION tree_capacity(depth integer) RETURNS bigint LANGUAGE sql IMMUTABLE RETURN 1::bigint << depth;
