CREATE TABLE rate (code text CONSTRAINT rate_pkey PRIMARY KEY, factor numeric NOT NULL);
CREATE FUNCTION factor_of(wanted text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT factor FROM rate WHERE code = wanted;
END;
