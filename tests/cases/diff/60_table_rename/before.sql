CREATE TABLE customer (
    id integer CONSTRAINT customer_pkey PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE usr (
    id integer CONSTRAINT usr_pkey PRIMARY KEY,
    customer_id integer NOT NULL CONSTRAINT usr_customer_id_fkey REFERENCES customer (id),
    login text NOT NULL
);
