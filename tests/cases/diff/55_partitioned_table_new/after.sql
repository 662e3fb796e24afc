CREATE TABLE device (
    id integer CONSTRAINT device_pkey PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE measurement (
    device_id integer NOT NULL CONSTRAINT measurement_device_id_fkey REFERENCES device (id),
    taken_at timestamptz NOT NULL,
    value double precision NOT NULL,
    CONSTRAINT measurement_pkey PRIMARY KEY (device_id, taken_at)
) PARTITION BY RANGE (taken_at);

CREATE TABLE measurement_2024 PARTITION OF measurement
    FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00');
CREATE TABLE measurement_2025 PARTITION OF measurement
    FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00');
CREATE TABLE measurement_default PARTITION OF measurement DEFAULT;

CREATE INDEX measurement_taken_at_idx ON measurement (taken_at);
