CREATE TABLE subscriber (
    id integer CONSTRAINT subscriber_pkey PRIMARY KEY,
    email text NOT NULL
);
