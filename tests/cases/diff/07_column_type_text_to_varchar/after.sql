CREATE TABLE country (
    id integer CONSTRAINT country_pkey PRIMARY KEY,
    code varchar(10) NOT NULL
);
