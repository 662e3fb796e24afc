-- Backups (make backup: pg_dump) and operators' read-only access. BYPASSRLS: a backup must
-- see every wallet's rows, and pg_dump refuses to run where row-level security would filter
-- them. Read-only: reading is all pg_read_all_data gives it, and its sessions start read-only.
-- Password set out of band.
-- noqa: disable=LT02
CREATE ROLE memory_backup WITH
    LOGIN
    NOSUPERUSER
    NOCREATEDB
    NOCREATEROLE
    INHERIT
    NOREPLICATION
    BYPASSRLS
    IN ROLE pg_read_all_data;
-- noqa: enable=LT02

-- Read-only sessions: even a statement a grant would allow cannot write. pg_dump sets its own
-- timeouts; an operator's query is cut off after ten minutes.
ALTER ROLE memory_backup SET default_transaction_read_only = on;
ALTER ROLE memory_backup SET statement_timeout = '10min';
ALTER ROLE memory_backup SET idle_in_transaction_session_timeout = '10min';

COMMENT ON ROLE memory_backup IS
'Backup and operator read-only account: reads every row (BYPASSRLS, pg_read_all_data), writes nothing. Password managed out of band.';
