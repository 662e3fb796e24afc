-- Append-only audit trail of every blockchain operation. The application may insert
-- and read, never update or delete; old rows are archived by maintenance.
-- asset_id deliberately has no foreign key: the trail must keep naming an asset after
-- its row is gone, and must never be rewritten by a cascade.
CREATE TABLE blockchain_audit_logs (
    log_id bigint GENERATED ALWAYS AS IDENTITY,
    operation text NOT NULL,
    status text NOT NULL,
    actor_address text,
    asset_id text,
    batch_id uuid,
    tx_signature text,
    details jsonb NOT NULL DEFAULT '{}',
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blockchain_audit_logs_pkey PRIMARY KEY (log_id),
    -- Operation names are identifiers such as mint, batch_mint, transfer, grant_access.
    CONSTRAINT blockchain_audit_logs_operation_format CHECK (
        operation ~ '^[a-z][a-z0-9_]{0,63}$'
    ),
    CONSTRAINT blockchain_audit_logs_status_valid CHECK (status IN ('success', 'failure')),
    CONSTRAINT blockchain_audit_logs_actor_address_base58 CHECK (
        actor_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT blockchain_audit_logs_asset_id_base58 CHECK (
        asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT blockchain_audit_logs_tx_signature_base58 CHECK (
        tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    ),
    CONSTRAINT blockchain_audit_logs_details_object CHECK (jsonb_typeof(details) = 'object')
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE blockchain_audit_logs OWNER TO memory_owner;

-- By date: time-range reads and the archiving of rows older than the retention period.
CREATE INDEX blockchain_audit_logs_timestamp_idx ON blockchain_audit_logs ("timestamp");

-- A wallet's operations, newest first.
CREATE INDEX blockchain_audit_logs_actor_address_timestamp_idx
ON blockchain_audit_logs (actor_address, "timestamp" DESC);

-- An asset's history, newest first.
CREATE INDEX blockchain_audit_logs_asset_id_timestamp_idx
ON blockchain_audit_logs (asset_id, "timestamp" DESC);

-- A batch's operations.
CREATE INDEX blockchain_audit_logs_batch_id_idx ON blockchain_audit_logs (batch_id);

-- Operations by kind and date (e.g. all failed mints today).
CREATE INDEX blockchain_audit_logs_operation_timestamp_idx
ON blockchain_audit_logs (operation, "timestamp" DESC);

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/blockchain_audit_logs.sql.
ALTER TABLE blockchain_audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE blockchain_audit_logs FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE blockchain_audit_logs IS
'Append-only audit trail of blockchain operations (mints, transfers, grants, uploads), successful or not.';
COMMENT ON COLUMN blockchain_audit_logs.operation IS
'Operation name, a lowercase identifier (mint, batch_mint, transfer, grant_access, ...).';
COMMENT ON COLUMN blockchain_audit_logs.status IS
'Outcome of the operation: success or failure.';
COMMENT ON COLUMN blockchain_audit_logs.actor_address IS
'Base58 wallet on whose behalf the operation ran; NULL for system operations.';
COMMENT ON COLUMN blockchain_audit_logs.asset_id IS
'Asset concerned, if any. Not a foreign key: the trail outlives deleted rows.';
COMMENT ON COLUMN blockchain_audit_logs.batch_id IS
'Batch concerned, if any. Not a foreign key, for the same reason.';
COMMENT ON COLUMN blockchain_audit_logs.tx_signature IS
'Base58 signature of the transaction, when one was sent.';
COMMENT ON COLUMN blockchain_audit_logs.details IS
'Operation-specific details (JSON object): parameters, error, costs.';
COMMENT ON COLUMN blockchain_audit_logs."timestamp" IS
'When the operation was recorded.';
