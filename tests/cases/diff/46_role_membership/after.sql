CREATE ROLE sc_case_46_reader NOLOGIN;
CREATE ROLE sc_case_46_writer NOLOGIN;
CREATE ROLE sc_case_46_app NOLOGIN;

CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY,
    name text NOT NULL
);

GRANT SELECT ON item TO sc_case_46_reader;
GRANT INSERT, UPDATE ON item TO sc_case_46_writer;
GRANT sc_case_46_reader TO sc_case_46_writer;
GRANT sc_case_46_writer TO sc_case_46_app;
