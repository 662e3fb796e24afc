CREATE TABLE secret (
    id integer CONSTRAINT secret_pkey PRIMARY KEY,
    owner_name text NOT NULL,
    value text NOT NULL
);

ALTER TABLE secret ENABLE ROW LEVEL SECURITY;

CREATE POLICY secret_owner ON secret USING (owner_name = current_user);

CREATE VIEW secret_summary AS
SELECT owner_name, count(*) AS secrets FROM secret GROUP BY owner_name;
