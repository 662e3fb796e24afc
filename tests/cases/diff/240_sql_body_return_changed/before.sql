CREATE FUNCTION vat(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE RETURN amount * 0.20;
