-- Concurrent Merkle trees (SPL account compression) that the platform mints compressed
-- NFTs into. The tree's shape is fixed when its account is created on chain.
CREATE TABLE merkle_trees (
    tree_address text NOT NULL,
    authority_address text NOT NULL,
    max_depth integer NOT NULL,
    max_buffer_size integer NOT NULL,
    canopy_depth integer NOT NULL DEFAULT 0,
    capacity bigint GENERATED ALWAYS AS ((1::bigint << max_depth)) STORED,
    leaves_minted bigint NOT NULL DEFAULT 0,
    is_public boolean NOT NULL DEFAULT FALSE,
    status text NOT NULL DEFAULT 'active',
    creation_signature text,
    creation_cost_lamports bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT merkle_trees_pkey PRIMARY KEY (tree_address),
    CONSTRAINT merkle_trees_tree_address_base58 CHECK (
        tree_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT merkle_trees_authority_address_base58 CHECK (
        authority_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    -- SPL account compression supports depths 3..30 and buffer sizes 8..2048.
    CONSTRAINT merkle_trees_max_depth_range CHECK (max_depth BETWEEN 3 AND 30),
    CONSTRAINT merkle_trees_max_buffer_size_range CHECK (max_buffer_size BETWEEN 8 AND 2048),
    -- The canopy caches the top levels of the tree: it cannot be deeper than the tree.
    CONSTRAINT merkle_trees_canopy_depth_range CHECK (canopy_depth BETWEEN 0 AND max_depth),
    -- A tree holds at most 2^max_depth leaves (the capacity column).
    CONSTRAINT merkle_trees_leaves_minted_capacity CHECK (
        leaves_minted >= 0 AND leaves_minted <= (1::bigint << max_depth)
    ),
    CONSTRAINT merkle_trees_status_valid CHECK (status IN ('active', 'full', 'retired')),
    CONSTRAINT merkle_trees_creation_signature_base58 CHECK (
        creation_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    ),
    CONSTRAINT merkle_trees_creation_cost_lamports_nonnegative CHECK (creation_cost_lamports >= 0)
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE merkle_trees OWNER TO memory_owner;

-- Trees by authority (the wallet allowed to mint into them).
CREATE INDEX merkle_trees_authority_address_idx ON merkle_trees (authority_address);

-- Picking a tree to mint into: active trees only.
CREATE INDEX merkle_trees_status_idx ON merkle_trees (status, created_at);

-- Row-level security, forced so that it binds the owner role too (its own policy
-- lets it see every row); policies in policies/merkle_trees.sql.
ALTER TABLE merkle_trees ENABLE ROW LEVEL SECURITY;
ALTER TABLE merkle_trees FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE merkle_trees IS
'Concurrent Merkle trees (Solana account compression) that compressed NFTs are minted into; one row per tree account.';
COMMENT ON COLUMN merkle_trees.tree_address IS
'Base58 address of the tree account on Solana.';
COMMENT ON COLUMN merkle_trees.authority_address IS
'Base58 address of the tree authority (the wallet or PDA allowed to mint into the tree).';
COMMENT ON COLUMN merkle_trees.max_depth IS
'Tree depth chosen at creation (3..30); the tree holds 2^max_depth leaves.';
COMMENT ON COLUMN merkle_trees.max_buffer_size IS
'Concurrent change-log buffer size chosen at creation (8..2048): how many writes per slot the tree tolerates.';
COMMENT ON COLUMN merkle_trees.canopy_depth IS
'Number of upper tree levels cached on chain (0..max_depth); larger canopies mean shorter proofs.';
COMMENT ON COLUMN merkle_trees.capacity IS
'Generated: 2^max_depth, the maximum number of leaves (assets) the tree can hold.';
COMMENT ON COLUMN merkle_trees.leaves_minted IS
'Leaves used so far; never exceeds capacity.';
COMMENT ON COLUMN merkle_trees.is_public IS
'Whether anyone may mint into the tree (Bubblegum public tree) rather than only its authority.';
COMMENT ON COLUMN merkle_trees.status IS
'active: accepts mints; full: capacity reached; retired: no longer used for new mints.';
COMMENT ON COLUMN merkle_trees.creation_signature IS
'Base58 signature of the transaction that created the tree account.';
COMMENT ON COLUMN merkle_trees.creation_cost_lamports IS
'Rent and fees paid to create the tree account, in lamports.';
