CREATE TABLE customer (
    customer_id integer CONSTRAINT customer_pkey PRIMARY KEY,
    email text NOT NULL
);
CREATE TABLE purchase (purchase_id integer CONSTRAINT purchase_pkey PRIMARY KEY, customer_id integer);
