CREATE TABLE visit (visit_id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT visit_pkey PRIMARY KEY, path text);
