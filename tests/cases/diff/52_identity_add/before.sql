CREATE TABLE visit (
    id bigint NOT NULL,
    path text NOT NULL,
    CONSTRAINT visit_pkey PRIMARY KEY (id)
);
