CREATE TABLE invoice (invoice_id integer CONSTRAINT invoice_pkey PRIMARY KEY, amount numeric NOT NULL);
ALTER TABLE invoice ADD CONSTRAINT invoice_amount_check CHECK (amount >= 0) NOT VALID;
