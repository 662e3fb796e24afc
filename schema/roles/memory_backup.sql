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

COMMENT ON ROLE memory_backup IS
'Backup and operator read-only account: reads every row (BYPASSRLS, pg_read_all_data), writes nothing. Password managed out of band.';
