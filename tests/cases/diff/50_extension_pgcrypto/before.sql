CREATE TABLE api_key (
    id integer CONSTRAINT api_key_pkey PRIMARY KEY,
    key_hash text NOT NULL
);
