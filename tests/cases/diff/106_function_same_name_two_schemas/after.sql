CREATE SCHEMA billing;
CREATE SCHEMA audit;
CREATE FUNCTION billing.fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT amount * 0.015 $$;
CREATE FUNCTION audit.fee(amount numeric) RETURNS numeric LANGUAGE sql STABLE AS $$ SELECT amount * 0.03 $$;
COMMENT ON FUNCTION audit.fee(numeric) IS 'audit fee';
