CREATE TABLE minting_job (job_no integer NOT NULL, payload jsonb);
