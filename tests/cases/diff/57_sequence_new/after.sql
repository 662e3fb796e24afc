CREATE SEQUENCE invoice_number_seq AS bigint START WITH 1000 INCREMENT BY 1 CACHE 1;

CREATE TABLE invoice (
    id integer CONSTRAINT invoice_pkey PRIMARY KEY,
    issued_on date NOT NULL,
    number bigint NOT NULL DEFAULT nextval('invoice_number_seq'),
    CONSTRAINT invoice_number_key UNIQUE (number)
);

ALTER SEQUENCE invoice_number_seq OWNED BY invoice.number;
