CREATE FUNCTION is_base58(value text) RETURNS boolean LANGUAGE sql IMMUTABLE RETURN value ~ '^[1-9A-HJ-NP-Za-km-z]+$';
CREATE TABLE wallet (address text CONSTRAINT wallet_pkey PRIMARY KEY, CONSTRAINT wallet_address_check CHECK (is_base58(address)));
