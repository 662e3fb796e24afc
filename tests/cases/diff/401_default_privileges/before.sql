CREATE ROLE sc_case_401_reader NOLOGIN;
CREATE ROLE sc_case_401_owner NOLOGIN;

CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY
);
