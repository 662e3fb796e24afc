CREATE TABLE tag (tag_id integer CONSTRAINT tag_pkey PRIMARY KEY, label text NOT NULL);
