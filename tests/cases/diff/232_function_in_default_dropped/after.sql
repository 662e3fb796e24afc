CREATE TABLE note (note_id integer CONSTRAINT note_pkey PRIMARY KEY, title text NOT NULL);
