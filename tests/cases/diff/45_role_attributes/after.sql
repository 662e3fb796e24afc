CREATE ROLE sc_case_45_svc LOGIN CONNECTION LIMIT 10;
CREATE ROLE sc_case_45_batch NOLOGIN NOINHERIT;

CREATE TABLE heartbeat (
    service text CONSTRAINT heartbeat_pkey PRIMARY KEY,
    seen_at timestamptz NOT NULL
);

GRANT SELECT, UPDATE ON heartbeat TO sc_case_45_svc;
GRANT SELECT ON heartbeat TO sc_case_45_batch;
