CREATE ROLE sc_case_64_worker NOLOGIN;

CREATE SCHEMA queue;

CREATE SEQUENCE queue.job_id_seq;

CREATE TABLE queue.job (
    id bigint CONSTRAINT job_pkey PRIMARY KEY DEFAULT nextval('queue.job_id_seq'),
    payload jsonb NOT NULL
);
