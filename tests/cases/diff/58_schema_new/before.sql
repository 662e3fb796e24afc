CREATE TABLE app_user (
    id integer CONSTRAINT app_user_pkey PRIMARY KEY,
    email text NOT NULL
);
