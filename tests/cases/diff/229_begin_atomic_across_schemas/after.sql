CREATE SCHEMA pricing;
CREATE SCHEMA report;
CREATE TABLE pricing.rate (code text CONSTRAINT rate_pkey PRIMARY KEY, factor numeric NOT NULL);
CREATE FUNCTION pricing.factor_of(wanted text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT factor FROM pricing.rate WHERE code = wanted;
END;
CREATE FUNCTION report.scaled(amount numeric, wanted text) RETURNS numeric LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT amount * pricing.factor_of(wanted);
END;
