CREATE TABLE price (
    id integer CONSTRAINT price_pkey PRIMARY KEY,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL
);

CREATE FUNCTION price_label(p_id integer) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    r price%ROWTYPE;
BEGIN
    SELECT * INTO r FROM price WHERE id = p_id;
    RETURN r.amount::text || ' ' || r.currency;
END;
$$;
