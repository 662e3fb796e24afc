-- The index of minted memory assets: one row per compressed NFT, with its content on
-- Arweave. Owner-scoped: row-level security (policies/owner_access.sql) limits the
-- application role to the wallet named in app.current_user.
CREATE TABLE memory_assets (
    asset_id text NOT NULL,
    owner_address text NOT NULL,
    batch_id uuid,
    merkle_tree text NOT NULL,
    leaf_index bigint NOT NULL,
    mint_signature text,
    arweave_tx_id text NOT NULL,
    content_hash text NOT NULL,
    title text,
    description text,
    tags text[] NOT NULL DEFAULT '{}',
    metadata jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'active',
    search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, ''))
    ) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT memory_assets_pkey PRIMARY KEY (asset_id),
    -- Assets outlive nothing they point at: a batch or tree with assets cannot be deleted.
    CONSTRAINT memory_assets_batch_id_fkey FOREIGN KEY (batch_id)
    REFERENCES memory_batches (batch_id) ON DELETE RESTRICT,
    CONSTRAINT memory_assets_merkle_tree_fkey FOREIGN KEY (merkle_tree)
    REFERENCES merkle_trees (tree_address) ON DELETE RESTRICT,
    -- A leaf of a tree holds exactly one asset (also the merkle_tree foreign key's index).
    CONSTRAINT memory_assets_merkle_tree_leaf_index_key UNIQUE (merkle_tree, leaf_index),
    CONSTRAINT memory_assets_asset_id_base58 CHECK (
        asset_id ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT memory_assets_owner_address_base58 CHECK (
        owner_address ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'
    ),
    CONSTRAINT memory_assets_leaf_index_nonnegative CHECK (leaf_index >= 0),
    CONSTRAINT memory_assets_mint_signature_base58 CHECK (
        mint_signature ~ '^[1-9A-HJ-NP-Za-km-z]{87,88}$'
    ),
    CONSTRAINT memory_assets_arweave_tx_id_format CHECK (arweave_tx_id ~ '^[A-Za-z0-9_-]{43}$'),
    -- SHA-256 of the stored content, lowercase hex.
    CONSTRAINT memory_assets_content_hash_sha256 CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT memory_assets_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT memory_assets_tags_no_nulls CHECK (array_position(tags, NULL) IS NULL),
    CONSTRAINT memory_assets_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT memory_assets_status_valid CHECK (
        status IN ('pending', 'active', 'archived', 'burned')
    )
);

-- Owned by the schema owner role, not by whoever applied it.
ALTER TABLE memory_assets OWNER TO memory_owner;

-- Usage example "Query user's memory assets": WHERE owner_address = ? ORDER BY created_at DESC.
CREATE INDEX memory_assets_owner_address_created_at_idx
ON memory_assets (owner_address, created_at DESC);

-- Foreign key support for memory_batches (merkle_tree is covered by the unique key).
CREATE INDEX memory_assets_batch_id_idx ON memory_assets (batch_id);

-- By status and date (active_memory_assets, listings of recent assets).
CREATE INDEX memory_assets_status_created_at_idx ON memory_assets (status, created_at DESC);

-- By date across owners.
CREATE INDEX memory_assets_created_at_idx ON memory_assets (created_at);

-- Full-text search over title and description: WHERE search @@ websearch_to_tsquery('simple', ?).
CREATE INDEX memory_assets_search_idx ON memory_assets USING gin (search);

-- Tag filters: WHERE tags @> ARRAY['family'].
CREATE INDEX memory_assets_tags_idx ON memory_assets USING gin (tags);

-- Owner-scoped table: the policies apply to the table owner too, not only to
-- blockchain_service (superusers and BYPASSRLS roles still bypass them).
ALTER TABLE memory_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE memory_assets FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE memory_assets IS
'Indexed memory assets: one row per compressed NFT minted on Solana, with its Arweave content reference and searchable metadata. Row-level security scopes rows to app.current_user.';
COMMENT ON COLUMN memory_assets.asset_id IS
'Base58 asset id of the compressed NFT (derived from the tree address and leaf nonce).';
COMMENT ON COLUMN memory_assets.owner_address IS
'Base58 wallet that currently owns the asset; row-level security compares it with app.current_user.';
COMMENT ON COLUMN memory_assets.batch_id IS
'Batch that minted the asset; NULL for assets indexed from chain without a platform batch.';
COMMENT ON COLUMN memory_assets.merkle_tree IS
'Address of the concurrent Merkle tree holding the asset''s leaf.';
COMMENT ON COLUMN memory_assets.leaf_index IS
'Position of the asset''s leaf in the tree (0-based, below the tree capacity).';
COMMENT ON COLUMN memory_assets.mint_signature IS
'Base58 signature of the transaction that minted the asset, when known.';
COMMENT ON COLUMN memory_assets.arweave_tx_id IS
'Arweave transaction id (43 characters of base64url) of the stored content.';
COMMENT ON COLUMN memory_assets.content_hash IS
'SHA-256 of the content stored on Arweave, lowercase hex: proves the content was not altered.';
COMMENT ON COLUMN memory_assets.tags IS
'Free-form tags chosen by the owner (GIN-indexed).';
COMMENT ON COLUMN memory_assets.metadata IS
'Off-chain metadata (JSON object) as stored with the NFT.';
COMMENT ON COLUMN memory_assets.status IS
'pending: mint not yet confirmed; active: live; archived: hidden by the owner; burned: burned on chain.';
COMMENT ON COLUMN memory_assets.search IS
'Generated full-text document of title and description (simple configuration, GIN-indexed).';
COMMENT ON COLUMN memory_assets.updated_at IS
'Maintained by trigger update_memory_assets_updated_at.';
