CREATE DOMAIN slot AS bigint CHECK (VALUE >= 0);
COMMENT ON DOMAIN slot IS 'a slot number';
