CREATE TABLE country (
    id integer CONSTRAINT country_pkey PRIMARY KEY,
    code text NOT NULL
);
