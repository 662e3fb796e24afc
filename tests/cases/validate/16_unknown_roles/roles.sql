CREATE ROLE blockchain_service LOGIN IN ROLE app_readers;
ALTER ROLE blockchain_servise NOSUPERUSER;
ALTER ROLE reporting SET statement_timeout = '1min';
GRANT app_writers TO blockchain_service;
GRANT blockchain_service TO deployer;
COMMENT ON ROLE analytics IS 'not defined';
