CREATE TABLE memory_assets (asset_id text PRIMARY KEY, owner_address text NOT NULL);
ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_assets OWNER TO schema_owner;

CREATE POLICY owner_access ON memory_assets TO blockchain_service, auditors
USING (owner_address = current_setting('app.current_user', TRUE));

GRANT SELECT ON TABLE memory_assets TO blockchain_service, analysts;
REVOKE ALL ON TABLE memory_assets FROM PUBLIC;
REVOKE ALL ON TABLE memory_assets FROM former_service;
GRANT SELECT ON TABLE memory_assets TO pg_read_all_data;
GRANT SELECT ON TABLE memory_assets TO CURRENT_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE migrator GRANT SELECT ON TABLES TO blockchain_service;
