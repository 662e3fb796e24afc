CREATE ROLE sc_case_64_worker NOLOGIN;

CREATE SCHEMA queue;

CREATE SEQUENCE queue.job_id_seq;

CREATE TABLE queue.job (
    id bigint CONSTRAINT job_pkey PRIMARY KEY DEFAULT nextval('queue.job_id_seq'),
    payload jsonb NOT NULL
);

GRANT USAGE ON SCHEMA queue TO sc_case_64_worker;
GRANT USAGE, SELECT ON SEQUENCE queue.job_id_seq TO sc_case_64_worker;
GRANT SELECT, INSERT, DELETE ON queue.job TO sc_case_64_worker;
