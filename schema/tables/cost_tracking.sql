-- Append-only cost records, one per paid operation, for cost analytics per wallet and day.
CREATE TABLE cost_tracking (
    cost_id bigint GENERATED ALWAYS AS IDENTITY,
    wallet_address text NOT NULL,
    operation text NOT NULL,
    batch_id uuid,
    tx_signature text,
    solana_fee_lamports bigint NOT NULL DEFAULT 0,
    rent_lamports bigint NOT NULL DEFAULT 0,
    arweave_cost_winston numeric NOT NULL DEFAULT 0,
    total_cost_lamports bigint NOT NULL,
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cost_tracking_pkey PRIMARY KEY (cost_id),
    -- Costs were really paid: a batch with cost records cannot be deleted.
    CONSTRAINT cost_tracking_batch_id_fkey FOREIGN KEY (batch_id)
    REFERENCES memory_batches (batch_id) ON DELETE RESTRICT,
    CONSTRAINT cost_tracking_wallet_address_base58 CHECK (
        wallet_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT cost_tracking_operation_format CHECK (operation ~ '^[a-z][a-z0-9_]{0,63}$'),
    CONSTRAINT cost_tracking_tx_signature_base58 CHECK (
        tx_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    ),
    CONSTRAINT cost_tracking_solana_fee_lamports_nonnegative CHECK (solana_fee_lamports >= 0),
    CONSTRAINT cost_tracking_rent_lamports_nonnegative CHECK (rent_lamports >= 0),
    -- Whole winston, checked rather than typed numeric(30, 0): that type would round 1.5 to 2
    -- silently; the CHECK rejects it.
    CONSTRAINT cost_tracking_arweave_cost_winston_whole CHECK (
        arweave_cost_winston >= 0 AND arweave_cost_winston = trunc(arweave_cost_winston)
    ),
    CONSTRAINT cost_tracking_total_cost_lamports_nonnegative CHECK (total_cost_lamports >= 0),
    -- The total includes the Solana fee and rent (plus the Arweave cost converted to lamports).
    CONSTRAINT cost_tracking_total_cost_lamports_not_below_fees CHECK (
        total_cost_lamports >= solana_fee_lamports + rent_lamports
    )
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE cost_tracking OWNER TO memory_owner;

-- Usage example "Track costs over time": WHERE wallet_address = ? GROUP BY day of "timestamp".
-- INCLUDE lets the daily sums be answered from the index alone.
CREATE INDEX cost_tracking_wallet_address_timestamp_idx
ON cost_tracking (wallet_address, "timestamp")
INCLUDE (total_cost_lamports);

-- Foreign key support for memory_batches, and the cost of one batch.
CREATE INDEX cost_tracking_batch_id_idx ON cost_tracking (batch_id);

-- By date across wallets (platform-wide daily costs).
CREATE INDEX cost_tracking_timestamp_idx ON cost_tracking ("timestamp");

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/cost_tracking.sql.
ALTER TABLE cost_tracking ENABLE ROW LEVEL SECURITY;
ALTER TABLE cost_tracking FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE cost_tracking IS
'Cost of every paid operation (Solana fees and rent in lamports, Arweave storage in winston) for cost analytics.';
COMMENT ON COLUMN cost_tracking.wallet_address IS
'Base58 wallet the cost is attributed to.';
COMMENT ON COLUMN cost_tracking.operation IS
'Operation name, a lowercase identifier (mint, batch_mint, upload, transfer, tree_create, ...).';
COMMENT ON COLUMN cost_tracking.batch_id IS
'Batch the cost belongs to, if any.';
COMMENT ON COLUMN cost_tracking.tx_signature IS
'Base58 signature of the paid transaction, when there was one.';
COMMENT ON COLUMN cost_tracking.solana_fee_lamports IS
'Solana transaction fees in lamports (1 SOL = 10^9 lamports).';
COMMENT ON COLUMN cost_tracking.rent_lamports IS
'Rent paid for new Solana accounts, in lamports.';
COMMENT ON COLUMN cost_tracking.arweave_cost_winston IS
'Arweave storage cost in winston (1 AR = 10^12 winston); numeric because totals can exceed bigint.';
COMMENT ON COLUMN cost_tracking.total_cost_lamports IS
'Total cost in lamports: Solana fee + rent + the Arweave cost converted at the time of the operation.';
COMMENT ON COLUMN cost_tracking."timestamp" IS
'When the cost was incurred.';
