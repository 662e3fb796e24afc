CREATE TABLE minting_queue (
    queue_id bigint PRIMARY KEY,
    status text NOT NULL,
    attempts integer NOT NULL,
    status text,
    CONSTRAINT minting_queue_attempts_check CHECK (attempts >= 0),
    CONSTRAINT minting_queue_attempts_check CHECK (attempts < 10)
);

ALTER TABLE minting_queue ADD COLUMN attempts integer;
ALTER TABLE minting_queue ADD CONSTRAINT minting_queue_attempts_check CHECK (attempts <> 5);

-- Constraint names are per table: the same name on another table is fine.
CREATE TABLE cost_tracking (
    cost_id bigint PRIMARY KEY,
    attempts integer,
    CONSTRAINT minting_queue_attempts_check CHECK (attempts >= 0)
);
