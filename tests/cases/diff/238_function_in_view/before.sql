CREATE TABLE sale (sale_id integer CONSTRAINT sale_pkey PRIMARY KEY, gross numeric NOT NULL);
