CREATE TABLE box (box_id integer CONSTRAINT box_pkey PRIMARY KEY, w integer NOT NULL, h integer NOT NULL, area integer);
