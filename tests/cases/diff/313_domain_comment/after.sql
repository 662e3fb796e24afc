CREATE DOMAIN solana_address AS text CHECK (length(VALUE) BETWEEN 32 AND 44);
COMMENT ON DOMAIN solana_address IS 'A base58 Solana address (32 to 44 characters).';
CREATE TABLE merkle_tree (address solana_address NOT NULL);
