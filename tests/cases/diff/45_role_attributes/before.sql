CREATE ROLE sc_case_45_svc NOLOGIN;
CREATE ROLE sc_case_45_batch NOLOGIN CONNECTION LIMIT 2;

CREATE TABLE heartbeat (
    service text CONSTRAINT heartbeat_pkey PRIMARY KEY,
    seen_at timestamptz NOT NULL
);

GRANT SELECT, UPDATE ON heartbeat TO sc_case_45_svc;
GRANT SELECT ON heartbeat TO sc_case_45_batch;
