-- Audit rows older than the retention period, moved here by archive_audit_logs() so the
-- live trail stays small while nothing is lost. Same columns as blockchain_audit_logs
-- plus archived_at; log_id keeps the original id (no identity: ids are copied, never made).
-- No CHECKs: every row already passed the live table's checks when it was written.
-- Operator only: the application has no privileges here.
CREATE TABLE blockchain_audit_logs_archive (
    log_id bigint NOT NULL,
    operation text NOT NULL,
    status text NOT NULL,
    actor_address text,
    asset_id text,
    batch_id uuid,
    tx_signature text,
    details jsonb NOT NULL,
    "timestamp" timestamptz NOT NULL,
    archived_at timestamptz NOT NULL DEFAULT now(),
    -- A row is archived once: a second copy of the same log_id is a bug and fails the move.
    CONSTRAINT blockchain_audit_logs_archive_pkey PRIMARY KEY (log_id)
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE blockchain_audit_logs_archive OWNER TO memory_owner;

-- Time-range reads of the archive (audits of a past period).
CREATE INDEX blockchain_audit_logs_archive_timestamp_idx
ON blockchain_audit_logs_archive ("timestamp");

-- A wallet's archived operations, newest first.
CREATE INDEX blockchain_audit_logs_archive_actor_address_timestamp_idx
ON blockchain_audit_logs_archive (actor_address, "timestamp" DESC);

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/blockchain_audit_logs_archive.sql.
ALTER TABLE blockchain_audit_logs_archive ENABLE ROW LEVEL SECURITY;
ALTER TABLE blockchain_audit_logs_archive FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE blockchain_audit_logs_archive IS
'Archived audit trail: rows of blockchain_audit_logs older than the retention period (default 90 days), moved by archive_audit_logs().';
COMMENT ON COLUMN blockchain_audit_logs_archive.log_id IS
'The row''s log_id in blockchain_audit_logs, unchanged.';
COMMENT ON COLUMN blockchain_audit_logs_archive."timestamp" IS
'When the operation was recorded (unchanged by archiving).';
COMMENT ON COLUMN blockchain_audit_logs_archive.archived_at IS
'When archive_audit_logs() moved the row here.';
