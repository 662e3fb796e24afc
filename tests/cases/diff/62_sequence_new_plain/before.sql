CREATE TABLE ticket (
    id integer CONSTRAINT ticket_pkey PRIMARY KEY,
    subject text NOT NULL
);
