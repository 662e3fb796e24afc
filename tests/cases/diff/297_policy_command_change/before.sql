CREATE ROLE sc_case_297_reader;
CREATE TABLE memo (memo_id integer CONSTRAINT memo_pkey PRIMARY KEY, author text NOT NULL, public boolean NOT NULL DEFAULT false);
ALTER TABLE memo ENABLE ROW LEVEL SECURITY;
CREATE POLICY memo_author ON memo FOR SELECT USING (author = current_user);
