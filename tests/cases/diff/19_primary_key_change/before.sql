CREATE TABLE membership (
    id integer NOT NULL,
    org_id integer NOT NULL,
    user_id integer NOT NULL,
    CONSTRAINT membership_pkey PRIMARY KEY (id)
);
