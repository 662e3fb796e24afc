CREATE TABLE reading (reading_id integer CONSTRAINT reading_pkey PRIMARY KEY, celsius numeric);
