CREATE TABLE event_log (
    id integer CONSTRAINT event_log_pkey PRIMARY KEY,
    payload_size bigint NOT NULL
);
