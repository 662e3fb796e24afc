CREATE FUNCTION acting_user() RETURNS text LANGUAGE sql STABLE RETURN current_setting('app.user', true);
CREATE TABLE document (document_id integer CONSTRAINT document_pkey PRIMARY KEY, owner_name text NOT NULL);
ALTER TABLE document ENABLE ROW LEVEL SECURITY;
CREATE POLICY document_owner ON document USING (owner_name = acting_user());
