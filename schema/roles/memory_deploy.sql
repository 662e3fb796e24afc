-- Runs migrations (schemactl migrate up / apply). A member of memory_owner (granted in
-- memory_owner.sql, once both roles exist), so what it
-- creates it can hand to the owner (ALTER ... OWNER TO memory_owner) and it may change the
-- owner's objects; nothing more: no superuser, no CREATEROLE, no BYPASSRLS. Roles are
-- created beforehand by an administrator (the generated scripts only create a missing role,
-- which needs one). Password set out of band.
-- noqa: disable=LT02
CREATE ROLE memory_deploy WITH
    LOGIN
    NOSUPERUSER
    NOCREATEDB
    NOCREATEROLE
    INHERIT
    NOREPLICATION
    NOBYPASSRLS;
-- noqa: enable=LT02

COMMENT ON ROLE memory_deploy IS
'Deploy account: applies migrations as a member of memory_owner. Not a superuser. Password managed out of band.';
