CREATE TABLE flag (flag_id integer CONSTRAINT flag_pkey PRIMARY KEY, enabled boolean NOT NULL DEFAULT false);
