CREATE TABLE account (account_id integer NOT NULL, handle text NOT NULL, CONSTRAINT account_pkey PRIMARY KEY (account_id));
