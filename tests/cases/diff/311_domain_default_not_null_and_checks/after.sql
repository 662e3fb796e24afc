CREATE DOMAIN arweave_id AS text DEFAULT 'pending' NOT NULL
    CONSTRAINT arweave_id_shape CHECK (VALUE = 'pending' OR VALUE ~ '^[A-Za-z0-9_-]{43}$');
CREATE TABLE memory_version (version_no integer NOT NULL, content arweave_id);
