CREATE TABLE invoice (invoice_id integer CONSTRAINT invoice_pkey PRIMARY KEY, amount numeric NOT NULL,
    CONSTRAINT invoice_amount_check CHECK (amount >= 0));
