CREATE TABLE price (price_id integer CONSTRAINT price_pkey PRIMARY KEY, amount bigint NOT NULL DEFAULT 100);
