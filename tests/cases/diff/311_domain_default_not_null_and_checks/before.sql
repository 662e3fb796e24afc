CREATE DOMAIN arweave_id AS text CONSTRAINT arweave_id_length CHECK (length(VALUE) = 43);
CREATE TABLE memory_version (version_no integer NOT NULL, content arweave_id);
