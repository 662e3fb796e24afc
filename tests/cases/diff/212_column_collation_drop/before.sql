CREATE TABLE tag (tag_id integer CONSTRAINT tag_pkey PRIMARY KEY, label text COLLATE "C" NOT NULL);
