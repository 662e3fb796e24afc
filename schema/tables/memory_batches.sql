-- One batch mint: several memory assets minted into a Merkle tree by one or more
-- transactions. Costs are recorded per batch (and per operation in cost_tracking).
CREATE TABLE memory_batches (
    batch_id uuid NOT NULL DEFAULT gen_random_uuid(),
    owner_address text NOT NULL,
    merkle_tree text,
    status text NOT NULL DEFAULT 'pending',
    asset_count integer NOT NULL,
    minted_count integer NOT NULL DEFAULT 0,
    primary_signature text,
    tx_signatures text[] NOT NULL DEFAULT '{}',
    total_cost_lamports bigint NOT NULL DEFAULT 0,
    arweave_cost_winston numeric NOT NULL DEFAULT 0,
    error_message text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    CONSTRAINT memory_batches_pkey PRIMARY KEY (batch_id),
    -- A tree that minted a batch must stay: its assets' proofs live there.
    CONSTRAINT memory_batches_merkle_tree_fkey FOREIGN KEY (merkle_tree)
    REFERENCES merkle_trees (tree_address) ON DELETE RESTRICT,
    CONSTRAINT memory_batches_owner_address_base58 CHECK (
        owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT memory_batches_status_valid CHECK (
        status IN ('pending', 'processing', 'completed', 'failed')
    ),
    CONSTRAINT memory_batches_asset_count_positive CHECK (asset_count > 0),
    CONSTRAINT memory_batches_minted_count_range CHECK (minted_count BETWEEN 0 AND asset_count),
    CONSTRAINT memory_batches_primary_signature_base58 CHECK (
        primary_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    ),
    -- Every element a base58 signature: no NULL elements, and the space-joined list
    -- must be a sequence of 87-88 character base58 words.
    CONSTRAINT memory_batches_tx_signatures_base58 CHECK (
        array_position(tx_signatures, NULL) IS NULL
        AND array_to_string(tx_signatures, ' ')
        ~ '^([1-9A-HJ-NP-Za-km-z]{87,88}( [1-9A-HJ-NP-Za-km-z]{87,88})*)?$'
    ),
    CONSTRAINT memory_batches_total_cost_lamports_nonnegative CHECK (total_cost_lamports >= 0),
    -- Whole winston, checked rather than typed numeric(30, 0): that type would round 1.5 to 2
    -- silently; the CHECK rejects it.
    CONSTRAINT memory_batches_arweave_cost_winston_whole CHECK (
        arweave_cost_winston >= 0 AND arweave_cost_winston = trunc(arweave_cost_winston)
    ),
    -- completed_at is set exactly when the batch completed, never before it was created.
    CONSTRAINT memory_batches_completed_at_status CHECK (
        (status = 'completed') = (completed_at IS NOT NULL)
    ),
    CONSTRAINT memory_batches_completed_at_after_created CHECK (completed_at >= created_at)
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE memory_batches OWNER TO memory_owner;

-- A wallet's batches, newest first (user_statistics, batch history pages).
CREATE INDEX memory_batches_owner_address_created_at_idx
ON memory_batches (owner_address, created_at DESC);

-- Foreign key support: deleting or re-keying a tree must not scan this table.
CREATE INDEX memory_batches_merkle_tree_idx ON memory_batches (merkle_tree);

-- Batches by status (the minting worker looks for pending/processing ones).
CREATE INDEX memory_batches_status_created_at_idx ON memory_batches (status, created_at);

-- Serves batch_statistics: its "date" column is exactly this expression, so
-- WHERE date >= CURRENT_DATE - INTERVAL '30 days' becomes an index range scan.
CREATE INDEX memory_batches_created_date_idx
ON memory_batches (((created_at AT TIME ZONE 'UTC')::date));

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/memory_batches.sql.
ALTER TABLE memory_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_batches FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE memory_batches IS
'Batch mints: a set of memory assets minted together into one Merkle tree, with status, transaction signatures and costs.';
COMMENT ON COLUMN memory_batches.owner_address IS
'Base58 wallet that requested the batch and owns the minted assets.';
COMMENT ON COLUMN memory_batches.merkle_tree IS
'Tree the batch mints into; NULL until the minting worker assigns one.';
COMMENT ON COLUMN memory_batches.status IS
'pending -> processing -> completed | failed.';
COMMENT ON COLUMN memory_batches.asset_count IS
'Number of assets the batch was asked to mint.';
COMMENT ON COLUMN memory_batches.minted_count IS
'Number of assets minted so far (0..asset_count).';
COMMENT ON COLUMN memory_batches.primary_signature IS
'Base58 signature (87-88 characters) of the batch''s main minting transaction.';
COMMENT ON COLUMN memory_batches.tx_signatures IS
'Base58 signatures of every transaction the batch needed, in submission order.';
COMMENT ON COLUMN memory_batches.total_cost_lamports IS
'Total Solana cost of the batch (fees and rent) in lamports (1 SOL = 10^9 lamports).';
COMMENT ON COLUMN memory_batches.arweave_cost_winston IS
'Arweave storage cost in winston (1 AR = 10^12 winston); numeric because totals can exceed bigint.';
COMMENT ON COLUMN memory_batches.error_message IS
'Last error when status is failed.';
COMMENT ON COLUMN memory_batches.completed_at IS
'Set exactly when status is completed.';
