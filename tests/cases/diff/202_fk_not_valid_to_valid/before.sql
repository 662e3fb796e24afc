CREATE TABLE customer (
    customer_id integer CONSTRAINT customer_pkey PRIMARY KEY,
    email text NOT NULL
);

     CREATE TABLE purchase (purchase_id integer CONSTRAINT purchase_pkey PRIMARY KEY, customer_id integer NOT NULL);
     ALTER TABLE purchase ADD CONSTRAINT purchase_customer_fkey FOREIGN KEY (customer_id) REFERENCES customer (customer_id) NOT VALID;
