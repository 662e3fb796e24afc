CREATE TABLE job (
    id integer CONSTRAINT job_pkey PRIMARY KEY,
    priority integer NOT NULL DEFAULT 5,
    queue text NOT NULL DEFAULT 'standard'
);
