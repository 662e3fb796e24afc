CREATE TABLE price (
    id integer CONSTRAINT price_pkey PRIMARY KEY,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL
);

CREATE FUNCTION price_with_vat(p_amount numeric, p_rate numeric DEFAULT 0.2)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT round(p_amount * (1 + p_rate), 2) $$;
