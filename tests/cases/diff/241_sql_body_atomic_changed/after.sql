CREATE TABLE rate (code text CONSTRAINT rate_pkey PRIMARY KEY, factor numeric NOT NULL);
CREATE FUNCTION factor_of(wanted text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT coalesce(max(factor), 1) FROM rate WHERE code = wanted;
END;
