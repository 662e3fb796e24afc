CREATE TABLE customer (
    id integer CONSTRAINT customer_pkey PRIMARY KEY,
    email text NOT NULL CONSTRAINT customer_email_key UNIQUE
);

CREATE TABLE invoice (
    id integer CONSTRAINT invoice_pkey PRIMARY KEY,
    customer_id integer NOT NULL CONSTRAINT invoice_customer_id_fkey REFERENCES customer (id),
    total numeric(12, 2) NOT NULL
);

CREATE VIEW invoice_total AS
SELECT customer_id, sum(total) AS total FROM invoice GROUP BY customer_id;

CREATE FUNCTION invoice_count() RETURNS bigint
LANGUAGE sql STABLE
AS $$ SELECT count(*) FROM invoice $$;
