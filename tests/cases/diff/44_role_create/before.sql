CREATE TABLE report (
    id integer CONSTRAINT report_pkey PRIMARY KEY,
    title text NOT NULL
);
