CREATE TABLE account (
    id integer CONSTRAINT account_pkey PRIMARY KEY,
    email text NOT NULL,
    is_active boolean NOT NULL DEFAULT true,
    plan text NOT NULL DEFAULT 'free'
);
