CREATE ROLE sc_case_400_api NOLOGIN;
ALTER ROLE sc_case_400_api SET statement_timeout = '30s';
ALTER ROLE sc_case_400_api SET lock_timeout = '5s';

CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY
);
