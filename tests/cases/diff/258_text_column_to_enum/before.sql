CREATE TABLE ticket (ticket_id integer CONSTRAINT ticket_pkey PRIMARY KEY, state text NOT NULL DEFAULT 'open');
