CREATE TABLE customer (
    id integer CONSTRAINT customer_pkey PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE app_user (
    id integer CONSTRAINT app_user_pkey PRIMARY KEY,
    customer_id integer NOT NULL CONSTRAINT app_user_customer_id_fkey REFERENCES customer (id),
    login text NOT NULL
);
