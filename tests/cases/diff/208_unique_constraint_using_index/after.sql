CREATE TABLE account (account_id integer CONSTRAINT account_pkey PRIMARY KEY, handle text NOT NULL,
    CONSTRAINT account_handle_key UNIQUE (handle));
