CREATE TABLE wallet (address text CONSTRAINT wallet_pkey PRIMARY KEY);
