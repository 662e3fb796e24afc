CREATE TABLE account (account_id integer CONSTRAINT account_pkey PRIMARY KEY, handle text NOT NULL);
CREATE UNIQUE INDEX account_handle_key ON account (handle);
