CREATE ROLE sc_case_37_app NOLOGIN;

CREATE TABLE note (
    id integer CONSTRAINT note_pkey PRIMARY KEY,
    owner_name text NOT NULL DEFAULT current_user,
    body text NOT NULL,
    is_public boolean NOT NULL DEFAULT false
);

GRANT SELECT, INSERT, UPDATE ON note TO sc_case_37_app;
