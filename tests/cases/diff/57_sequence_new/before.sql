CREATE TABLE invoice (
    id integer CONSTRAINT invoice_pkey PRIMARY KEY,
    issued_on date NOT NULL
);
