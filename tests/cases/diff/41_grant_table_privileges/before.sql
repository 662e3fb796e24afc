CREATE ROLE sc_case_41_app NOLOGIN;
CREATE ROLE sc_case_41_support NOLOGIN;

CREATE TABLE ticket (
    id integer CONSTRAINT ticket_pkey PRIMARY KEY,
    subject text NOT NULL,
    status text NOT NULL DEFAULT 'open'
);
