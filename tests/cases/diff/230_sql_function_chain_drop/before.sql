CREATE FUNCTION f_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN x + 1;
CREATE FUNCTION f_two(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN f_one(x) * 2;
CREATE FUNCTION f_three(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN f_two(x) - 3;
