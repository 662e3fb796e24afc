CREATE TABLE device (
    id integer CONSTRAINT device_pkey PRIMARY KEY,
    name text NOT NULL
);
