CREATE DOMAIN lamports AS bigint DEFAULT 0 NOT NULL CONSTRAINT lamports_not_negative CHECK (VALUE >= 0);
COMMENT ON DOMAIN lamports IS 'An amount of SOL in lamports: whole and never negative.';
CREATE TABLE wallet (address text NOT NULL, balance lamports);
