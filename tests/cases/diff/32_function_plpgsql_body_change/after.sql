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
    IF NOT FOUND THEN
        RAISE EXCEPTION 'price % not found', p_id;
    END IF;
    RETURN r.currency || ' ' || to_char(r.amount, 'FM999999990.00');
END;
$$;
