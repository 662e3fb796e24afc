CREATE TABLE tag (
    id integer NOT NULL,
    label text NOT NULL,
    CONSTRAINT tag_pkey PRIMARY KEY (id)
);
