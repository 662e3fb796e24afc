CREATE TABLE ticket (
    id bigint GENERATED ALWAYS AS IDENTITY,
    label text NOT NULL,
    CONSTRAINT ticket_pkey PRIMARY KEY (id)
);
