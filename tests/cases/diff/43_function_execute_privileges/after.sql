CREATE ROLE sc_case_43_app NOLOGIN;

CREATE TABLE counter (
    name text CONSTRAINT counter_pkey PRIMARY KEY,
    value bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION counter_bump(p_name text) RETURNS bigint
LANGUAGE sql
AS $$ UPDATE counter SET value = value + 1 WHERE name = p_name RETURNING value $$;

REVOKE EXECUTE ON FUNCTION counter_bump(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION counter_bump(text) TO sc_case_43_app;
GRANT SELECT ON counter TO sc_case_43_app;
