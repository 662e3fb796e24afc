CREATE ROLE sc_case_295_reader;
CREATE TABLE memo (memo_id integer CONSTRAINT memo_pkey PRIMARY KEY, author text NOT NULL, public boolean NOT NULL DEFAULT false);
ALTER TABLE memo ENABLE ROW LEVEL SECURITY;
CREATE POLICY memo_author ON memo USING (author = current_user OR public) WITH CHECK (author = current_user AND NOT public);
