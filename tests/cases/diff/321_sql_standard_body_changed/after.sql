CREATE FUNCTION tree_capacity(depth integer) RETURNS bigint LANGUAGE sql IMMUTABLE RETURN CASE WHEN depth BETWEEN 0 AND 30 THEN 1::bigint << depth END;
