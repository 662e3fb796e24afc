CREATE TABLE document (document_id integer CONSTRAINT document_pkey PRIMARY KEY, owner_name text NOT NULL);
ALTER TABLE document ENABLE ROW LEVEL SECURITY;
