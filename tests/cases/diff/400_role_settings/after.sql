CREATE ROLE sc_case_400_api NOLOGIN;
ALTER ROLE sc_case_400_api SET statement_timeout = '10s';
ALTER ROLE sc_case_400_api SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE sc_case_400_api SET search_path = "$user", public;

CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY
);
