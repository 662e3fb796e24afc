CREATE TABLE account (
    id integer CONSTRAINT account_pkey PRIMARY KEY,
    email text NOT NULL
);
