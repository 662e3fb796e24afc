CREATE TABLE price (
    id integer CONSTRAINT price_pkey PRIMARY KEY,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL
);
