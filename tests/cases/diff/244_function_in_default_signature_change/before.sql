CREATE FUNCTION next_code() RETURNS text LANGUAGE sql VOLATILE RETURN md5(random()::text);
CREATE TABLE voucher (voucher_id integer CONSTRAINT voucher_pkey PRIMARY KEY, code text NOT NULL DEFAULT next_code());
