-- Functions that memory_owner creates later (a migration's functions are handed to it, and
-- operators act as it: SET ROLE memory_owner) are not executable by PUBLIC unless a grant says
-- so: PostgreSQL's built-in default gives PUBLIC EXECUTE on every function. The schema's own
-- functions revoke it explicitly as well, whoever creates them.
ALTER DEFAULT PRIVILEGES FOR ROLE memory_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
