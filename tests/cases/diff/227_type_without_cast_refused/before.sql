CREATE TABLE sample (sample_id integer CONSTRAINT sample_pkey PRIMARY KEY, taken bigint);
