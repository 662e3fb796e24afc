CREATE TABLE wallet (address text NOT NULL);
