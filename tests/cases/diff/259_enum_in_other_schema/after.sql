CREATE SCHEMA lookup;
CREATE TYPE lookup.priority AS ENUM ('low', 'high');
CREATE TABLE ticket (ticket_id integer CONSTRAINT ticket_pkey PRIMARY KEY, priority lookup.priority);
