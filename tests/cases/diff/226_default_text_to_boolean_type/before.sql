CREATE TABLE flag (flag_id integer CONSTRAINT flag_pkey PRIMARY KEY, enabled text NOT NULL DEFAULT 'false');
