CREATE TABLE price (
    id integer CONSTRAINT price_pkey PRIMARY KEY,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL
);

CREATE FUNCTION price_total(p_currency char(3)) RETURNS numeric
LANGUAGE sql STABLE
AS $$ SELECT coalesce(sum(amount), 0) FROM price WHERE currency = p_currency $$;
