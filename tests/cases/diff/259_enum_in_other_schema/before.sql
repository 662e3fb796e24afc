CREATE SCHEMA lookup;
CREATE TABLE ticket (ticket_id integer CONSTRAINT ticket_pkey PRIMARY KEY);
