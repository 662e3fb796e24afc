CREATE TABLE price (price_id integer CONSTRAINT price_pkey PRIMARY KEY, amount integer NOT NULL DEFAULT 0);
