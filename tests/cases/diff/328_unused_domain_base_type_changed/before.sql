CREATE DOMAIN slot AS integer CHECK (VALUE >= 0);
COMMENT ON DOMAIN slot IS 'a slot';
