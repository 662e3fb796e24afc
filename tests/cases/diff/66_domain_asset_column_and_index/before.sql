CREATE TABLE memory_batches (
    batch_id text CONSTRAINT memory_batches_pkey PRIMARY KEY,
    tree_address text NOT NULL
        CONSTRAINT memory_batches_tree_address_check CHECK (tree_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT memory_batches_status_check CHECK (status IN ('pending', 'minting', 'confirmed', 'failed')),
    signature text
        CONSTRAINT memory_batches_signature_check CHECK (signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memory_assets (
    asset_id text CONSTRAINT memory_assets_pkey PRIMARY KEY
        CONSTRAINT memory_assets_asset_id_check CHECK (asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    batch_id text CONSTRAINT memory_assets_batch_id_fkey REFERENCES memory_batches (batch_id),
    owner_address text NOT NULL
        CONSTRAINT memory_assets_owner_address_check CHECK (owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
    arweave_tx_id text NOT NULL
        CONSTRAINT memory_assets_arweave_tx_id_check CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX memory_assets_owner_address_created_at_idx ON memory_assets (owner_address, created_at DESC);

COMMENT ON TABLE memory_assets IS 'Compressed NFTs indexed from Solana; content lives on Arweave.';
