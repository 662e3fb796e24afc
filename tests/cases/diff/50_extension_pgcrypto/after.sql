CREATE EXTENSION pgcrypto;

CREATE TABLE api_key (
    id integer CONSTRAINT api_key_pkey PRIMARY KEY,
    key_hash text NOT NULL
);

CREATE FUNCTION api_key_hash(p_secret text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT encode(digest(p_secret, 'sha256'), 'hex') $$;
