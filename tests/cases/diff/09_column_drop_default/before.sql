CREATE TABLE job (
    id integer CONSTRAINT job_pkey PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    note text DEFAULT ''
);
