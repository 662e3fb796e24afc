CREATE TABLE parent (
    id integer CONSTRAINT parent_pkey PRIMARY KEY
);

CREATE TABLE child (
    id integer CONSTRAINT child_pkey PRIMARY KEY,
    parent_id integer NOT NULL
        CONSTRAINT child_parent_id_fkey REFERENCES parent (id)
);
