CREATE TABLE visit (visit_id bigint NOT NULL CONSTRAINT visit_pkey PRIMARY KEY, path text);
