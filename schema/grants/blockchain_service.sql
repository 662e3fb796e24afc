-- Least privilege for the application role, object by object (no GRANT ... ON ALL
-- TABLES: that is a one-off action, not a declaration of the desired state).
-- GRANT CONNECT ON DATABASE is given out of band: the database name differs per
-- environment. Identity columns need no sequence privileges: their nextval is not
-- permission-checked, so no USAGE on sequences is granted.

-- Nobody but the owner creates objects in public (the PostgreSQL 15 default, made explicit).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO blockchain_service;

-- Mutable domain tables: rows are changed, never deleted (assets are burned or archived,
-- grants revoked, batches and queue entries move through their statuses).
GRANT SELECT, INSERT, UPDATE ON TABLE memory_assets TO blockchain_service;
GRANT SELECT, INSERT, UPDATE ON TABLE memory_batches TO blockchain_service;
GRANT SELECT, INSERT, UPDATE ON TABLE access_grants TO blockchain_service;
GRANT SELECT, INSERT, UPDATE ON TABLE minting_queue TO blockchain_service;
GRANT SELECT, INSERT, UPDATE ON TABLE merkle_trees TO blockchain_service;

-- History, audit and cost records are append-only for the application.
GRANT SELECT, INSERT ON TABLE transfer_history TO blockchain_service;
GRANT SELECT, INSERT ON TABLE version_history TO blockchain_service;
GRANT SELECT, INSERT ON TABLE blockchain_audit_logs TO blockchain_service;
GRANT SELECT, INSERT ON TABLE cost_tracking TO blockchain_service;

-- Reporting views (security_invoker: the caller also needs SELECT on their tables).
GRANT SELECT ON TABLE active_memory_assets TO blockchain_service;
GRANT SELECT ON TABLE batch_statistics TO blockchain_service;
GRANT SELECT ON TABLE user_statistics TO blockchain_service;
