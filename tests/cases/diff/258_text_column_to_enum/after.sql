CREATE TYPE ticket_state AS ENUM ('open', 'closed');
CREATE TABLE ticket (ticket_id integer CONSTRAINT ticket_pkey PRIMARY KEY, state ticket_state NOT NULL DEFAULT 'open');
