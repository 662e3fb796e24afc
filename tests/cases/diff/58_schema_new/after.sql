CREATE TABLE app_user (
    id integer CONSTRAINT app_user_pkey PRIMARY KEY,
    email text NOT NULL
);

CREATE SCHEMA audit;

COMMENT ON SCHEMA audit IS 'Append-only history of changes.';

CREATE TABLE audit.login_event (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT login_event_pkey PRIMARY KEY,
    user_id integer NOT NULL CONSTRAINT login_event_user_id_fkey REFERENCES app_user (id),
    at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX login_event_user_id_at_idx ON audit.login_event (user_id, at);
