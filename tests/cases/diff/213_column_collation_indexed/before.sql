CREATE TABLE tag (tag_id integer CONSTRAINT tag_pkey PRIMARY KEY, label text NOT NULL);
CREATE INDEX tag_label_idx ON tag (label);
