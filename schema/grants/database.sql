-- The database itself. It is spelled memory_platform here, the name [tool.schemactl] database
-- gives in pyproject.toml; it stands for whichever database schema/ is built or deployed into
-- (the emitted SQL uses current_database()).
-- Nobody connects or creates temporary tables by default; each login role is named.
REVOKE CONNECT, TEMPORARY ON DATABASE memory_platform FROM PUBLIC;
GRANT CONNECT ON DATABASE memory_platform TO blockchain_service;
GRANT CONNECT ON DATABASE memory_platform TO memory_worker;
GRANT CONNECT ON DATABASE memory_platform TO memory_backup;
-- The deploy role connects through memory_owner's rights where the database is owned by it; named
-- here as well for a database an administrator owns.
GRANT CONNECT ON DATABASE memory_platform TO memory_deploy;
