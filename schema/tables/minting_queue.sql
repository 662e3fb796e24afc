-- Work queue of the asynchronous minting workflow: the API enqueues, workers poll
-- pending entries by priority and schedule. Completed entries are cleaned up by
-- maintenance after a retention period.
CREATE TABLE minting_queue (
    queue_id bigint GENERATED ALWAYS AS IDENTITY,
    owner_address text NOT NULL,
    batch_id uuid,
    arweave_tx_id text,
    payload jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending',
    priority integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5,
    scheduled_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    completed_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT minting_queue_pkey PRIMARY KEY (queue_id),
    -- Queue entries are transient; a deleted batch only unassigns them.
    CONSTRAINT minting_queue_batch_id_fkey FOREIGN KEY (batch_id)
    REFERENCES memory_batches (batch_id) ON DELETE SET NULL,
    CONSTRAINT minting_queue_owner_address_base58 CHECK (
        owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT minting_queue_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
    CONSTRAINT minting_queue_payload_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT minting_queue_status_valid CHECK (
        status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')
    ),
    CONSTRAINT minting_queue_attempts_range CHECK (attempts BETWEEN 0 AND max_attempts),
    CONSTRAINT minting_queue_max_attempts_positive CHECK (max_attempts > 0),
    -- completed_at is set exactly when the entry completed (the cleanup keys on it).
    CONSTRAINT minting_queue_completed_at_status CHECK (
        (status = 'completed') = (completed_at IS NOT NULL)
    ),
    CONSTRAINT minting_queue_completed_at_after_created CHECK (completed_at >= created_at)
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE minting_queue OWNER TO memory_owner;

-- Worker polling: next pending entries by priority, then schedule
-- (WHERE status = 'pending' AND scheduled_at <= now() ORDER BY priority DESC, scheduled_at).
CREATE INDEX minting_queue_pending_idx
ON minting_queue (priority DESC, scheduled_at)
WHERE status = 'pending';

-- A wallet's queued mints, newest first.
CREATE INDEX minting_queue_owner_address_created_at_idx
ON minting_queue (owner_address, created_at DESC);

-- Foreign key support for memory_batches (ON DELETE SET NULL).
CREATE INDEX minting_queue_batch_id_idx ON minting_queue (batch_id);

-- Entries by status and age, including the retention cleanup of completed entries
-- (WHERE status = 'completed' AND completed_at < now() - INTERVAL '7 days').
CREATE INDEX minting_queue_status_completed_at_idx ON minting_queue (status, completed_at);

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/minting_queue.sql.
ALTER TABLE minting_queue ENABLE ROW LEVEL SECURITY;
ALTER TABLE minting_queue FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE minting_queue IS
'Pending and processed minting operations of the asynchronous minting workflow.';
COMMENT ON COLUMN minting_queue.owner_address IS
'Base58 wallet the asset will be minted to.';
COMMENT ON COLUMN minting_queue.batch_id IS
'Batch the entry was assigned to; NULL until a worker batches it.';
COMMENT ON COLUMN minting_queue.arweave_tx_id IS
'Arweave transaction id of the already uploaded content, when the upload preceded queueing.';
COMMENT ON COLUMN minting_queue.payload IS
'Mint request (JSON object): title, description, tags, metadata of the asset to mint.';
COMMENT ON COLUMN minting_queue.status IS
'pending -> processing -> completed | failed; cancelled by the user or an operator.';
COMMENT ON COLUMN minting_queue.priority IS
'Higher runs first.';
COMMENT ON COLUMN minting_queue.attempts IS
'Processing attempts so far (0..max_attempts).';
COMMENT ON COLUMN minting_queue.scheduled_at IS
'Earliest time a worker may pick the entry (moved forward on retry with backoff).';
COMMENT ON COLUMN minting_queue.started_at IS
'When a worker last started processing the entry.';
COMMENT ON COLUMN minting_queue.completed_at IS
'Set exactly when status is completed; the retention cleanup keys on it.';
COMMENT ON COLUMN minting_queue.last_error IS
'Error of the last failed attempt.';
