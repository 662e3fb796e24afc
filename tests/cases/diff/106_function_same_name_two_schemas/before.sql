CREATE SCHEMA billing;
CREATE SCHEMA audit;
CREATE FUNCTION billing.fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT amount * 0.01 $$;
CREATE FUNCTION audit.fee(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT amount * 0.02 $$;
