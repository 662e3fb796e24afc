CREATE EXTENSION citext;

CREATE TABLE subscriber (
    id integer CONSTRAINT subscriber_pkey PRIMARY KEY,
    email text NOT NULL,
    handle citext,
    CONSTRAINT subscriber_handle_key UNIQUE (handle)
);
