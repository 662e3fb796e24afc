CREATE FUNCTION next_code(prefix text DEFAULT 'v') RETURNS text LANGUAGE sql VOLATILE RETURN prefix || md5(random()::text);
CREATE TABLE voucher (voucher_id integer CONSTRAINT voucher_pkey PRIMARY KEY, code text NOT NULL DEFAULT next_code('v'));
