-- The application's API role, acting for one wallet at a time (app.current_user). Least
-- privilege: no superuser, no BYPASSRLS, so the row-level security policies of every table
-- always apply to it; column privileges keep identity values, timestamps and on-chain facts
-- out of its reach.
-- No password here on purpose: it is set out of band per environment
-- (ALTER ROLE blockchain_service PASSWORD ... from the secret store), never in the repo.
-- CONNECT on the database is granted in grants/database.sql.
-- One attribute a line; sqlfluff's grammar gives CREATE ROLE options no indent level.
-- noqa: disable=LT02
CREATE ROLE blockchain_service WITH
    LOGIN
    NOSUPERUSER
    NOCREATEDB
    NOCREATEROLE
    INHERIT
    NOREPLICATION
    NOBYPASSRLS;
-- noqa: enable=LT02

-- Guardrails for sessions that log in as this role (settings apply at login, so a LOGIN role
-- that is a member needs its own): an API request that runs away, waits on a lock or leaves a
-- transaction open is cut off instead of holding locks and connections.
ALTER ROLE blockchain_service SET statement_timeout = '5s';
ALTER ROLE blockchain_service SET lock_timeout = '2s';
ALTER ROLE blockchain_service SET idle_in_transaction_session_timeout = '30s';

COMMENT ON ROLE blockchain_service IS
'Application service account of the memory platform: least-privilege DML on the domain tables, subject to row-level security. Password managed out of band.';
