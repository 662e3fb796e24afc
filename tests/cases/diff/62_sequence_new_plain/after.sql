CREATE SEQUENCE ticket_ref_seq;

CREATE TABLE ticket (
    id integer CONSTRAINT ticket_pkey PRIMARY KEY,
    subject text NOT NULL,
    ref bigint DEFAULT nextval('ticket_ref_seq')
);
