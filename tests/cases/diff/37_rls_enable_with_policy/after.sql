CREATE ROLE sc_case_37_app NOLOGIN;

CREATE TABLE note (
    id integer CONSTRAINT note_pkey PRIMARY KEY,
    owner_name text NOT NULL DEFAULT current_user,
    body text NOT NULL,
    is_public boolean NOT NULL DEFAULT false
);

GRANT SELECT, INSERT, UPDATE ON note TO sc_case_37_app;

ALTER TABLE note ENABLE ROW LEVEL SECURITY;

CREATE POLICY note_owner ON note
    FOR ALL TO sc_case_37_app
    USING (owner_name = current_user)
    WITH CHECK (owner_name = current_user);
