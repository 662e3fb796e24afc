CREATE FUNCTION f_base(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN x + 1;
CREATE FUNCTION f_user(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN f_base(x) * 2;
