CREATE ROLE blockchain_service WITH LOGIN PASSWORD 'not-in-the-repo';
CREATE ROLE migrator LOGIN ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:abc';
ALTER ROLE blockchain_service WITH PASSWORD 'rotated';
-- No password: fine.
ALTER ROLE migrator PASSWORD NULL;
CREATE ROLE readers NOLOGIN;
