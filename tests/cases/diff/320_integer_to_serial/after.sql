CREATE TABLE minting_job (job_no serial NOT NULL, payload jsonb);
