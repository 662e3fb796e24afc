-- Owner of every object of the schema. NOLOGIN: nobody works as it directly; the deploy
-- role is a member and applies migrations with its rights (never as a superuser). Not a
-- superuser and without BYPASSRLS, so the tables' forced row-level security binds it too:
-- each table gives it an explicit all-rows policy (maintenance, SECURITY DEFINER functions).
-- The database itself should be owned by it (CREATE DATABASE ... OWNER memory_owner), which
-- gives it CREATE on the database and, through pg_database_owner, on schema public.
-- One attribute a line; sqlfluff's grammar gives CREATE ROLE options no indent level.
-- noqa: disable=LT02
CREATE ROLE memory_owner WITH
    NOLOGIN
    NOSUPERUSER
    NOCREATEDB
    NOCREATEROLE
    INHERIT
    NOREPLICATION
    NOBYPASSRLS;
-- noqa: enable=LT02

-- The deploy role acts with the owner's rights.
GRANT memory_owner TO memory_deploy;

COMMENT ON ROLE memory_owner IS
'Owner of every object of the memory platform schema. NOLOGIN; the deploy role acts through membership.';
